// Read-only public links to calendars (webcal subscriptions).
export {
  createFeedLink, FEED_KIND, FeedError, feedUrl, listFeedLinks, revokeFeedLink, webcalUrl, type FeedLinkView,
} from './links.js';
export { feedRoute } from './route.js';

// User management shared by the CLI and the web admin.
export { Accounts, addUser, type AccountHost, type NewAccount, type UserRecord } from './accounts.js';
export { AccountError, type AccountField } from './errors.js';
export { checkDisplayName, checkEmail, checkUserName } from './rules.js';

// Bytes → text for iCalendar and vCard bodies. Both say UTF-8, but Thunderbird and
// Android exports in the wild are ISO-8859-1; decoding those as UTF-8 would turn
// every accented letter into U+FFFD, so we fall back instead of corrupting data.

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const latin1 = new TextDecoder('latin1');

export function decodeText(bytes: Buffer): string {
  try {
    return utf8.decode(bytes); // strips a leading BOM (ignoreBOM: false)
  } catch {
    return latin1.decode(bytes);
  }
}

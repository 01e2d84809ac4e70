// Where a notification goes and in which body. A target is `URL` (the generic JSON body) or
// `FORMAT+URL`, FORMAT one of slack, discord, ntfy, json: `slack+https://hooks.slack.com/services/...`.
// A scheme prefix rather than `?format=slack`: the query string belongs to the receiver (ntfy and
// Discord read their own parameters there), while the prefix is ours alone and is dropped before
// the request is made.

export const NOTIFY_FORMATS = ['json', 'slack', 'discord', 'ntfy'] as const;
export type NotifyFormat = (typeof NOTIFY_FORMATS)[number];

export interface NotifyTarget {
  format: NotifyFormat;
  /** The URL the request goes to, without the format prefix. May hold a token: never shown. */
  url: string;
  /** What status, metrics and logs name the target by: the format and scheme://host[:port], no path, query or user. */
  label: string;
}

export function parseNotifyTarget(text: string): NotifyTarget | { error: string } {
  const trimmed = text.trim();
  const prefixed = /^([a-z]+)\+(.*)$/i.exec(trimmed);
  const format = (prefixed?.[1]?.toLowerCase() ?? 'json') as NotifyFormat;
  if (!NOTIFY_FORMATS.includes(format)) return { error: `unknown notification format "${prefixed?.[1]}" (use one of ${NOTIFY_FORMATS.join(', ')}, as in slack+https://...)` };
  const rest = prefixed ? prefixed[2]! : trimmed;
  let url: URL;
  try {
    url = new URL(rest);
  } catch {
    // The text is not repeated: a webhook URL carries its token in the path.
    return { error: `must be an http or https URL, optionally prefixed with ${NOTIFY_FORMATS.map((f) => `${f}+`).join(', ')} (e.g. slack+https://hooks.slack.com/services/...)` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { error: `must be an http or https URL, not ${url.protocol.replace(/:$/, '')}` };
  }
  const label = `${format === 'json' ? '' : `${format}+`}${url.protocol}//${url.host}`;
  return { format, url: url.toString(), label };
}

/** `COMPOSED_NOTIFY`: targets separated by commas or whitespace. */
export function splitNotifyList(text: string): string[] {
  return text.split(/[\s,]+/).filter((s) => s !== '');
}

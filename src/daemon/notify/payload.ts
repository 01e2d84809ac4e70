// A notification as the receiver wants it: the generic JSON body, Slack's `{text}`, Discord's
// `{content}`, or ntfy's plain-text body with Title/Tags/Priority headers. Pure.
import type { NotifyFormat } from '../../compose/notify-target.js';
import type { Notification, NotificationType } from '../core/notify-decision.js';

export interface Payload {
  contentType: string;
  headers: Record<string, string>;
  body: string;
}

/** Discord refuses content over 2,000 characters; ntfy turns a body over 4,096 bytes into an attachment. */
const DISCORD_LIMIT = 2_000;
const NTFY_LIMIT = 3_900;
/** Enough of the log to see why, not a whole log in a chat message. */
const LOG_LINES = 20;
const LINE_CHARS = 300;

const HEADLINE: Record<NotificationType, string> = {
  failed: 'gave up',
  'crash-loop': 'is crash-looping',
  unhealthy: 'replaced an unhealthy replica',
  'rollout-failed': 'roll-out failed',
  'autoscale-max': 'is at its autoscale maximum',
  'engine-unreachable': 'engine unreachable',
  'config-error': 'config error',
  'update-available': 'has an image update available',
  recovered: 'recovered',
  summary: 'summary',
};

export function renderPayload(format: NotifyFormat, n: Notification): Payload {
  const logTail = n.logTail.slice(-LOG_LINES).map((line) => (line.length > LINE_CHARS ? `${line.slice(0, LINE_CHARS)}...` : line));
  switch (format) {
    case 'json':
      return { contentType: 'application/json', headers: {}, body: JSON.stringify({ ...n, logTail }) };
    case 'slack':
      return { contentType: 'application/json', headers: {}, body: JSON.stringify({ text: chatText(n, logTail, '*', Number.POSITIVE_INFINITY) }) };
    case 'discord':
      return { contentType: 'application/json', headers: {}, body: JSON.stringify({ content: chatText(n, logTail, '**', DISCORD_LIMIT) }) };
    case 'ntfy':
      return {
        contentType: 'text/plain; charset=utf-8',
        headers: { Title: `composed: ${title(n)}`, Tags: tags(n), Priority: isProblem(n.type) ? 'high' : 'default' },
        body: truncate([n.reason, exitLine(n), ...logTail].filter(Boolean).join('\n'), NTFY_LIMIT),
      };
  }
}

/** `shop/web#2 gave up`, `shop config error`, `engine unreachable`. */
export function title(n: Notification): string {
  const subject = n.service ? `${n.project}/${n.service}${n.replica !== null ? `#${n.replica}` : ''}` : (n.project ?? '');
  return [subject, HEADLINE[n.type]].filter(Boolean).join(' ');
}

function chatText(n: Notification, logTail: string[], bold: string, limit: number): string {
  const head = `${bold}composed: ${title(n)}${bold}\n${n.reason}${exitLine(n) ? `\n${exitLine(n)}` : ''}`;
  if (logTail.length === 0) return truncate(head, limit);
  // The log is cut from the front: its last lines say most about why.
  const room = limit - head.length - '\n```\n\n```'.length;
  let log = logTail.join('\n').replaceAll('```', "'''");
  if (room <= 0) return truncate(head, limit);
  if (log.length > room) log = log.slice(log.length - room);
  return `${head}\n\`\`\`\n${log}\n\`\`\``;
}

function exitLine(n: Notification): string {
  return n.exitCode !== null ? `exit code ${n.exitCode}` : '';
}

function isProblem(type: NotificationType): boolean {
  return type !== 'recovered' && type !== 'summary';
}

/** ntfy shows known tags (emoji short codes) as emoji and the rest as text. */
function tags(n: Notification): string {
  const emoji = n.type === 'recovered' ? 'white_check_mark' : n.type === 'summary' ? 'information_source' : 'rotating_light';
  return [emoji, 'composed', n.type].join(',');
}

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 3)}...`;
}

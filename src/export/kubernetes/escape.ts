// Kubernetes expands `$(NAME)` in env values, command and args, and reads `$$` as an escaped `$`;
// Docker passes both through untouched. Doubling each `$` that starts either sequence keeps the
// text exactly as compose gives it.

export function escapeExpansion(text: string): string {
  return text.replace(/\$(?=[$(])/g, '$$$$');
}

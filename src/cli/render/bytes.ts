// Sizes as docker prints them.

/** `n` divided by `base` until it is below it (or the units run out), and the unit it is in. */
function scaled(n: number, base: number, units: readonly string[]): { value: number; unit: string; scaled: boolean } {
  let value = n;
  let i = 0;
  while (value >= base && i < units.length - 1) {
    value /= base;
    i++;
  }
  return { value, unit: units[i]!, scaled: i > 0 };
}

/** docker stats' binary units: 1.5MiB, 7.6GiB. */
export function binaryBytes(n: number): string {
  const { value, unit, scaled: inUnits } = scaled(n, 1024, ['B', 'KiB', 'MiB', 'GiB', 'TiB']);
  return `${inUnits ? value.toFixed(2).replace(/\.?0+$/, '') : value}${unit}`;
}

/** docker pull's decimal units, three significant digits: 1.06MB, 32.8kB. */
export function decimalBytes(n: number): string {
  const { value, unit, scaled: inUnits } = scaled(n, 1000, ['B', 'kB', 'MB', 'GB', 'TB']);
  return inUnits ? `${Number(value.toPrecision(3))}${unit}` : `${n}B`;
}

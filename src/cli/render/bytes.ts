// Sizes as docker prints them.

/** docker stats' binary units: 1.5MiB, 7.6GiB. */
export function binaryBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${i === 0 ? value : value.toFixed(2).replace(/\.?0+$/, '')}${units[i]}`;
}

/** docker pull's decimal units, three significant digits: 1.06MB, 32.8kB. */
export function decimalBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = n;
  let i = 0;
  while (value >= 1000 && i < units.length - 1) {
    value /= 1000;
    i++;
  }
  return i === 0 ? `${n}B` : `${Number(value.toPrecision(3))}${units[i]}`;
}

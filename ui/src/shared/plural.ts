/** `n` things in words, singular or plural: `1 error`, `2 errors`, `1,204 rows`. */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}

/** cli-table3's measure of a cell (its own string-width), which src/output/table.ts reconciles with vn's. */
declare module 'cli-table3/src/utils.js' {
  const utils: { strlen(s: string): number };
  export default utils;
}

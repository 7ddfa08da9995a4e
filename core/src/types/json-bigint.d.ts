/** json-bigint 1.0.0 ships no types; only what the Ring push code uses. */
declare module 'json-bigint' {
  interface JsonBigOptions {
    storeAsString?: boolean;
  }
  interface JsonBig {
    parse(text: string): unknown;
    stringify(value: unknown): string;
  }
  export default function JSONbig(options?: JsonBigOptions): JsonBig;
}

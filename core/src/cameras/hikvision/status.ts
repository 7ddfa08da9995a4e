/** `ResponseStatus` answers turned into typed errors. Errors may arrive with HTTP 200: always read the body. */
import { ProtocolError } from '../../errors.js';
import { IsapiError } from './types.js';
import { childText, localName, parseXml } from './xml.js';

/** The IsapiError a body describes, or undefined when the body is no failing ResponseStatus. */
export function isapiErrorFrom(httpStatus: number, body: Buffer, path: string): IsapiError | undefined {
  const head = body.subarray(0, 256).toString('utf8');
  if (!head.includes('ResponseStatus')) return undefined;
  const text = body.toString('utf8');
  if (httpStatus < 400 && isPlainOk(text)) return undefined;
  let root;
  try {
    root = parseXml(text);
  } catch {
    return undefined;
  }
  if (localName(root) !== 'ResponseStatus') return undefined;
  const statusCode = Number(childText(root, 'statusCode') ?? 'NaN');
  if ((statusCode === 0 || statusCode === 1) && httpStatus < 400) return undefined;
  const statusString = childText(root, 'statusString') ?? '';
  const subStatusCode = childText(root, 'subStatusCode') ?? '';
  return new IsapiError(`${path}: ${statusString || 'error'} (statusCode ${statusCode}, ${subStatusCode || 'no subStatusCode'}, HTTP ${httpStatus})`, {
    statusCode,
    subStatusCode,
    statusString,
    httpStatus,
  });
}

/**
 * The answer to nearly every PUT: a flat `ResponseStatus` (leaf children only, no prefixes) whose one
 * `statusCode` is 1. Recognised without building a tree; anything else goes to the full parser.
 */
const PLAIN_RESPONSE_STATUS = /^\s*(?:<\?xml[^>]*\?>\s*)?<ResponseStatus(?:\s[^>]*)?>(?:\s*<([A-Za-z_][\w.-]*)(?:\s[^>]*)?>[^<]*<\/\1>)*\s*<\/ResponseStatus>\s*$/;
const OK_CODE = '<statusCode>1</statusCode>';

function isPlainOk(text: string): boolean {
  const at = text.indexOf(OK_CODE);
  return at !== -1 && text.indexOf('<statusCode', at + 1) === -1 && text.lastIndexOf('<statusCode', at - 1) === -1 && PLAIN_RESPONSE_STATUS.test(text);
}

/** Throws the device's error for a failed answer; a 4xx/5xx with no ResponseStatus is a ProtocolError. */
export function assertIsapiOk(httpStatus: number, body: Buffer, path: string): void {
  const error = isapiErrorFrom(httpStatus, body, path);
  if (error !== undefined) throw error;
  if (httpStatus >= 400) throw new ProtocolError(`${path}: HTTP ${httpStatus}`);
}

export function isNotSupported(error: unknown): boolean {
  return error instanceof IsapiError && (error.subStatusCode === 'notSupport' || error.httpStatus === 405 || (error.statusCode === 4 && error.httpStatus === 403));
}

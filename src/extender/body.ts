// Reads a request body into one Buffer (verb-route.ts parses it). A few lines instead of express.json: no
// content-type negotiation or charset decoding on the hot path (kube-scheduler always sends UTF-8
// JSON), a hard size limit enforced while streaming, and replies that say what was wrong.
import type { IncomingMessage } from "node:http";
import { fail, ok, type Result } from "../domain/result.js";

/** Why a body was refused, as the HTTP reply says it. */
export interface BodyError {
  readonly status: 400 | 413;
  readonly message: string;
}
export type RawBodyResult = Result<Buffer, BodyError>;

export function readBody(
  req: IncomingMessage,
  limitBytes: number,
  done: (result: RawBodyResult) => void,
): void {
  const declared = Number(req.headers["content-length"]);
  if (declared > limitBytes) {
    req.resume(); // drain so that the connection can be reused
    done(
      fail({
        status: 413,
        message: `request body of ${declared} bytes exceeds the limit of ${limitBytes} bytes`,
      }),
    );
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (result: RawBodyResult): void => {
    if (finished) return;
    finished = true;
    done(result);
  };
  req.on("data", (chunk: Buffer) => {
    if (finished) return;
    size += chunk.length;
    if (size > limitBytes) {
      chunks.length = 0;
      finish(fail({ status: 413, message: `request body exceeds the limit of ${limitBytes} bytes` }));
      return;
    }
    chunks.push(chunk);
  });
  req.on("end", () => {
    if (finished) return;
    if (size === 0) {
      finish(fail({ status: 400, message: "request body is empty; expected JSON" }));
      return;
    }
    // Usually the whole body arrives in one chunk: no copy then; else one concatenation.
    const first = chunks[0];
    finish(ok(chunks.length === 1 && first ? first : Buffer.concat(chunks, size)));
  });
  req.on("error", (error) => {
    finish(fail({ status: 400, message: `could not read the request body: ${error.message}` }));
  });
}

/**
 * Reading a file that someone else may have prepared: only a regular file, never more than a cap.
 * A FIFO must not hang the reader, `/dev/zero` must not grow memory without bound, and a file
 * that grows while it is read is read only up to the size it had when it was checked.
 *
 * @module
 */
import { constants as fsConstants } from 'node:fs';
import { open } from 'node:fs/promises';

/** The bytes of a regular file, or why they were not read (a phrase: "not a regular file (a FIFO)"). */
export type RegularFileRead = { readonly bytes: Buffer } | { readonly problem: string };

function kindOf(st: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'a special file';
}

/**
 * Reads the regular file at `path` when it holds at most `maxBytes` bytes. Opens without following a
 * final symbolic link and without blocking (so a FIFO is reported, not waited on).
 * @throws the `open` error (e.g. `ENOENT`, `ELOOP` for a symbolic link) as Node raises it.
 */
export async function readRegularFile(path: string, maxBytes: number): Promise<RegularFileRead> {
  const handle = await open(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK | fsConstants.O_NOFOLLOW);
  try {
    const st = await handle.stat();
    if (!st.isFile()) return { problem: `not a regular file (${kindOf(st)})` };
    if (st.size > maxBytes) return { problem: `${st.size} bytes, more than the ${maxBytes} allowed` };
    const bytes = Buffer.allocUnsafe(st.size);
    let off = 0;
    while (off < st.size) {
      const { bytesRead } = await handle.read(bytes, off, st.size - off, off);
      if (bytesRead === 0) return { problem: `shrank to ${off} bytes while being read` };
      off += bytesRead;
    }
    return { bytes };
  } finally {
    await handle.close();
  }
}

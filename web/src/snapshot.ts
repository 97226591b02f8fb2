// The build's memory snapshot is stored sparse: about half of Pyodide's 30 MiB heap is pages of
// zeros, which scripts/make_snapshot.mjs leaves out. Restoring needs the full image, so it is
// expanded here. Half the bytes to decompress on a first visit (brotli on a slow laptop: ~10 ms
// per MB) and to read from the offline cache on a return visit.
//
// Format, all little-endian uint32: magic "GLSN", version 1, full length, page size, run count;
// then per run (first page, page count); then the runs' bytes, in order (the last page may be
// short). Everything not in a run is zero.

const MAGIC = 0x4e534c47; // "GLSN"

export function expandSnapshot(packed: Uint8Array): Uint8Array {
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  if (packed.byteLength < 20 || view.getUint32(0, true) !== MAGIC || view.getUint32(4, true) !== 1) {
    throw new Error("not a sparse snapshot (version 1)");
  }
  const total = view.getUint32(8, true);
  const page = view.getUint32(12, true);
  const runs = view.getUint32(16, true);
  const image = new Uint8Array(total); // zero-filled
  let from = 20 + runs * 8;
  for (let i = 0; i < runs; i++) {
    const start = view.getUint32(20 + i * 8, true) * page;
    const end = Math.min(start + view.getUint32(24 + i * 8, true) * page, total);
    if (end < start || from + (end - start) > packed.byteLength) throw new Error("sparse snapshot: truncated");
    image.set(packed.subarray(from, from + (end - start)), start);
    from += end - start;
  }
  if (from !== packed.byteLength) throw new Error("sparse snapshot: trailing bytes");
  return image;
}

// The glyph of a port behind a switch (fabric): one line in, several out, as a switch fans a port out to several peers.
export function FabricGlyph() {
  return (
    <svg width="14" height="12" viewBox="0 0 14 12" aria-hidden="true">
      <path d="M1 6h4M5 6l4-4h4M5 6h8M5 6l4 4h4" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

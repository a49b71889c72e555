// The one content security policy of our pages, for the desktop window's header and web mode's header alike.

/**
 * Scripts, styles, fonts, images and connections from our own origin only ('self' covers the same-host WebSocket
 * in CSP 3); inline styles because React Flow positions nodes with style attributes; data:/blob: images for PNG/SVG
 * export; no plugins, no framing, no forms, no <base>. The desktop page loads from file:, where nothing else is
 * needed, so its default is 'none'; web mode's is 'self'.
 */
export function contentSecurityPolicy(defaultSrc: "'none'" | "'self'"): string {
  return [
    `default-src ${defaultSrc}`,
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

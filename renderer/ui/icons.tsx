// One inline SVG icon per element kind and per toolbar command, drawn on a 20x20 grid with the current colour.
import { memo } from 'react';
import type { ReactElement } from 'react';

export type IconName =
  | 'site'
  | 'system'
  | 'externalSystem'
  | 'host'
  | 'port-target'
  | 'port-initiator'
  | 'port-switchable'
  | 'volume-real'
  | 'volume-virtual'
  | 'volume-virtualReal'
  | 'lu'
  | 'cache'
  | 'cable'
  | 'pair'
  | 'new'
  | 'open'
  | 'save'
  | 'undo'
  | 'redo'
  | 'fit'
  | 'layout'
  | 'sun'
  | 'moon'
  | 'export'
  | 'templates'
  | 'error'
  | 'warning'
  | 'ok'
  | 'close'
  | 'trash'
  | 'copy';

const PATHS: Record<IconName, ReactElement> = {
  site: (
    <>
      <path d="M3 17V8l7-4 7 4v9" />
      <path d="M8 17v-5h4v5" />
      <path d="M2 17h16" />
    </>
  ),
  system: (
    <>
      <rect x="3.5" y="2.5" width="13" height="15" rx="1.5" />
      <path d="M3.5 7h13M3.5 11.5h13" />
      <circle cx="6.5" cy="4.8" r=".6" fill="currentColor" />
      <circle cx="6.5" cy="9.3" r=".6" fill="currentColor" />
      <circle cx="6.5" cy="14" r=".6" fill="currentColor" />
    </>
  ),
  externalSystem: (
    <>
      <rect x="3.5" y="4.5" width="11" height="13" rx="1.5" strokeDasharray="2 1.6" />
      <path d="M12 2.5h5.5V8M17.5 2.5 11 9" />
    </>
  ),
  host: (
    <>
      <rect x="2.5" y="3.5" width="15" height="10" rx="1.5" />
      <path d="M7 17.5h6M10 13.5v4" />
    </>
  ),
  'port-target': (
    <>
      <circle cx="12.5" cy="10" r="4" />
      <path d="M2 10h6.5M6 7.5 8.5 10 6 12.5" />
    </>
  ),
  'port-initiator': (
    <>
      <circle cx="7.5" cy="10" r="4" />
      <path d="M11.5 10H18M15.5 7.5 18 10l-2.5 2.5" />
    </>
  ),
  'port-switchable': (
    <>
      <circle cx="10" cy="10" r="3.5" />
      <path d="M1.5 7h3.5M3.5 5.5 5 7 3.5 8.5M18.5 13H15M16.5 11.5 15 13l1.5 1.5" />
    </>
  ),
  'volume-real': (
    <>
      <ellipse cx="10" cy="5" rx="6.5" ry="2.5" />
      <path d="M3.5 5v10c0 1.4 2.9 2.5 6.5 2.5s6.5-1.1 6.5-2.5V5" />
      <path d="M3.5 10c0 1.4 2.9 2.5 6.5 2.5s6.5-1.1 6.5-2.5" />
    </>
  ),
  'volume-virtual': (
    <>
      <ellipse cx="10" cy="5" rx="6.5" ry="2.5" strokeDasharray="2 1.6" />
      <path d="M3.5 5v10c0 1.4 2.9 2.5 6.5 2.5s6.5-1.1 6.5-2.5V5" strokeDasharray="2 1.6" />
    </>
  ),
  'volume-virtualReal': (
    <>
      <ellipse cx="10" cy="5" rx="6.5" ry="2.5" />
      <path d="M3.5 5v10c0 1.4 2.9 2.5 6.5 2.5s6.5-1.1 6.5-2.5V5" strokeDasharray="2 1.6" />
      <path d="M7.5 11h5" />
    </>
  ),
  lu: (
    <>
      <path d="M3 6.5h10l4 3.5-4 3.5H3z" />
      <path d="M6 10h4" />
    </>
  ),
  cache: (
    <>
      <rect x="3" y="5.5" width="14" height="9" rx="1" />
      <path d="M6 5.5v-2M10 5.5v-2M14 5.5v-2M6 14.5v2M10 14.5v2M14 14.5v2M6.5 8.5h7v3h-7z" />
    </>
  ),
  cable: <path d="M3 15c4 0 4-10 7-10s3 10 7 10" />,
  pair: (
    <>
      <rect x="2.5" y="6" width="5.5" height="8" rx="1" />
      <rect x="12" y="6" width="5.5" height="8" rx="1" />
      <path d="M8 10h4M10.5 8.5 12 10l-1.5 1.5" />
    </>
  ),
  new: (
    <>
      <path d="M5 2.5h7l3.5 3.5v11.5H5z" />
      <path d="M10.2 9v6M7.2 12h6" />
    </>
  ),
  open: <path d="M2.5 16V4.5h5l1.5 2h8.5V16zM2.5 9h15" />,
  save: (
    <>
      <path d="M3.5 3.5h10l3 3v10h-13z" />
      <path d="M6.5 3.5v4h6v-4M6.5 16.5v-5h7v5" />
    </>
  ),
  undo: <path d="M7.5 5.5 4 9l3.5 3.5M4 9h8a4 4 0 0 1 0 8H9" />,
  redo: <path d="M12.5 5.5 16 9l-3.5 3.5M16 9H8a4 4 0 0 0 0 8h3" />,
  fit: <path d="M3 7V3h4M13 3h4v4M17 13v4h-4M7 17H3v-4M7 7h6v6H7z" />,
  layout: (
    <>
      <rect x="2.5" y="3" width="5" height="4" rx=".8" />
      <rect x="12.5" y="3" width="5" height="4" rx=".8" />
      <rect x="7.5" y="13" width="5" height="4" rx=".8" />
      <path d="M5 7v3h10V7M10 10v3" />
    </>
  ),
  sun: (
    <>
      <circle cx="10" cy="10" r="3.5" />
      <path d="M10 1.5v2M10 16.5v2M1.5 10h2M16.5 10h2M4 4l1.4 1.4M14.6 14.6 16 16M4 16l1.4-1.4M14.6 5.4 16 4" />
    </>
  ),
  moon: <path d="M15.5 12.5A6.5 6.5 0 0 1 7.5 4.5a6.5 6.5 0 1 0 8 8z" />,
  export: <path d="M10 12.5V2.5M6.5 6 10 2.5 13.5 6M3.5 11v6h13v-6" />,
  templates: (
    <>
      <rect x="2.5" y="2.5" width="6.5" height="6.5" rx="1" />
      <rect x="11" y="2.5" width="6.5" height="6.5" rx="1" />
      <rect x="2.5" y="11" width="6.5" height="6.5" rx="1" />
      <rect x="11" y="11" width="6.5" height="6.5" rx="1" />
    </>
  ),
  error: (
    <>
      <circle cx="10" cy="10" r="7.5" />
      <path d="M7.2 7.2l5.6 5.6M12.8 7.2l-5.6 5.6" />
    </>
  ),
  warning: (
    <>
      <path d="M10 2.8 18 16.5H2z" />
      <path d="M10 8v4M10 14.2v.3" />
    </>
  ),
  ok: (
    <>
      <circle cx="10" cy="10" r="7.5" />
      <path d="m6.5 10 2.5 2.5 4.5-5" />
    </>
  ),
  close: <path d="M5 5l10 10M15 5 5 15" />,
  trash: <path d="M3.5 5.5h13M8 5.5V3.5h4v2M5 5.5l1 11h8l1-11" />,
  copy: (
    <>
      <rect x="6.5" y="6.5" width="10" height="10" rx="1.2" />
      <path d="M13.5 6.5v-3h-10v10h3" />
    </>
  ),
};

export const Icon = memo(function Icon({ name, size = 18, className }: { name: IconName; size?: number; className?: string }) {
  return (
    <svg
      className={className}
      width={size}
      height={size}
      viewBox="0 0 20 20"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.5}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      {PATHS[name]}
    </svg>
  );
});

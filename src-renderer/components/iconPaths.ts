/** Inline SVG icons (no icon font or remote asset: the CSP allows only our own files). 24×24 stroke paths. */
export const iconPaths = {
  plus: 'M12 5v14M5 12h14',
  folder: 'M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z',
  film: 'M4 4h16v16H4zM8 4v16M16 4v16M4 8h4M4 12h4M4 16h4M16 8h4M16 12h4M16 16h4',
  images: 'M3 5h14v12H3zM7 21h14V9M3 14l4-4 4 4 3-3 3 3',
  file: 'M6 3h8l4 4v14H6zM14 3v4h4',
  pencil: 'M4 20h4L19 9l-4-4L4 16zM13.5 6.5l4 4',
  trash: 'M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3',
  back: 'M15 18l-6-6 6-6',
  up: 'M12 19V5M5 12l7-7 7 7',
  close: 'M6 6l12 12M18 6L6 18',
  import: 'M12 3v12M7 10l5 5 5-5M4 17v3h16v-3',
  first: 'M6 5v14M18 6l-8 6 8 6z',
  last: 'M18 5v14M6 6l8 6-8 6z',
  previous: 'M15 6l-6 6 6 6',
  next: 'M9 6l6 6-6 6',
  warning: 'M12 3l10 18H2zM12 10v5M12 18v.5',
  chip: 'M7 7h10v10H7zM10 3v4M14 3v4M10 17v4M14 17v4M3 10h4M3 14h4M17 10h4M17 14h4',
  logo: 'M4 12c3-6 13-6 16 0M4 12c3 6 13 6 16 0M12 9.5a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5z',
} as const;

export type IconName = keyof typeof iconPaths;

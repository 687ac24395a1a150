import { exportFormats, type ExportFormat } from './exportLinks';

/** "CSV" and "XLSX" download links for one view; `label` names what is downloaded, for screen readers. */
export function ExportButtons({ label, href }: { label: string; href: (format: ExportFormat) => string }) {
  return (
    <span className="export-buttons" role="group" aria-label={`Download ${label}`}>
      {exportFormats.map((format) => (
        <a key={format} className="export-button" href={href(format)} download aria-label={`Download ${label} as ${format.toUpperCase()}`}>
          {format.toUpperCase()}
        </a>
      ))}
    </span>
  );
}

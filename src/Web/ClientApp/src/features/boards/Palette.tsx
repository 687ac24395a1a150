import { palette } from './catalogue';
import type { WidgetKind } from './types';

export interface PaletteProps {
  onAdd: (kind: WidgetKind) => void;
  onDragKind: (kind: WidgetKind | null) => void;
}

/** Widgets to drag onto the grid; each also has an Add button, so a keyboard or a phone can build a board too. */
export function Palette({ onAdd, onDragKind }: PaletteProps) {
  return (
    <section className="palette" aria-labelledby="palette-title">
      <h2 id="palette-title" className="section-heading">
        Add a widget
      </h2>
      <ul>
        {palette.map((entry) => (
          <li
            key={entry.kind}
            className="palette__item"
            draggable
            data-testid={`palette-${entry.kind}`}
            onDragStart={(e) => {
              // Firefox only starts a drag that carries data.
              e.dataTransfer.setData('text/plain', entry.kind);
              e.dataTransfer.effectAllowed = 'copy';
              onDragKind(entry.kind);
            }}
            onDragEnd={() => onDragKind(null)}
          >
            <span className="palette__grip" aria-hidden="true">
              ⠿
            </span>
            <span className="palette__text">
              <strong>{entry.label}</strong>
              <span>{entry.description}</span>
            </span>
            <button type="button" aria-label={`Add ${entry.label}`} onClick={() => onAdd(entry.kind)}>
              Add
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

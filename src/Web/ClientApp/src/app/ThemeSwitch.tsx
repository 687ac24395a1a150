import { useThemeChoice, type ThemeChoice } from './theme';

const labels: Record<ThemeChoice, string> = { system: 'System', light: 'Light', dark: 'Dark' };

/** Three-way theme switch: follow the system, or always light or dark. */
export function ThemeSwitch() {
  const [choice, setChoice] = useThemeChoice();
  return (
    <label className="theme-switch">
      <span>Theme</span>
      <select value={choice} data-testid="theme-switch" onChange={(e) => setChoice(e.target.value as ThemeChoice)}>
        {(Object.keys(labels) as ThemeChoice[]).map((c) => (
          <option key={c} value={c}>
            {labels[c]}
          </option>
        ))}
      </select>
    </label>
  );
}

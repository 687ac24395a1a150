import { useEffect, useRef, useState } from 'react';
import { tweenValue } from './format';

/** Matches the ~600 ms the design asks for: long enough to notice, short enough to finish between pushes (≥250 ms). */
export const COUNT_UP_MS = 600;

/**
 * The figure to print while `target` changes: a tween from what is on screen to the new value. A new target
 * mid-tween starts from the figure currently shown, so rapid pushes never jump backwards.
 */
export function useCountUp(target: number, animate: boolean, durationMs = COUNT_UP_MS): number {
  const [shown, setShown] = useState(target);
  const shownRef = useRef(target);

  useEffect(() => {
    const from = shownRef.current;
    const canAnimate = animate && typeof window.requestAnimationFrame === 'function';
    if (!canAnimate || from === target) {
      shownRef.current = target;
      setShown(target);
      return;
    }
    let frame = 0;
    const started = performance.now();
    const step = (now: number) => {
      const value = tweenValue(from, target, now - started, durationMs);
      shownRef.current = value;
      setShown(value);
      if (value !== target) frame = window.requestAnimationFrame(step);
    };
    frame = window.requestAnimationFrame(step);
    return () => window.cancelAnimationFrame(frame);
  }, [target, animate, durationMs]);

  return shown;
}

/** True for `ms` after `value` changes (not on first render), to flash the tile that moved. */
export function useFlashOnChange(value: number, enabled: boolean, ms = 900): boolean {
  const [flashing, setFlashing] = useState(false);
  const previous = useRef(value);

  useEffect(() => {
    if (previous.current === value) return;
    previous.current = value;
    if (!enabled) return;
    setFlashing(true);
    const handle = setTimeout(() => setFlashing(false), ms);
    return () => clearTimeout(handle);
  }, [value, enabled, ms]);

  return flashing;
}

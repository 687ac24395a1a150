/**
 * Loads a lazy chunk, trying again with growing pauses when the network fails. React.lazy remembers a failed
 * load for good, so without this a TV that lost its network at the wrong moment would stay blank until someone
 * reloaded it.
 */
export function retryingImport<T>(load: () => Promise<T>, delays: readonly number[] = [1000, 2000, 5000, 10_000, 30_000]): Promise<T> {
  return new Promise<T>((resolve) => {
    const attempt = (n: number) => {
      load().then(resolve, () => setTimeout(() => attempt(n + 1), delays[Math.min(n, delays.length - 1)]));
    };
    attempt(0);
  });
}

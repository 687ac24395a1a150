import { afterEach } from 'vitest';

// Only component tests (a jsdom docblock) render, so only they load Testing Library and with it React DOM: the files that
// run in node would each pay for that import and use none of it.
if (typeof document !== 'undefined') {
  const { cleanup, configure } = await import('@testing-library/react');

  // Waits are for promises and lazy chunks, not animations; a generous ceiling keeps a busy CI machine from flaking.
  configure({ asyncUtilTimeout: 5000 });

  // Vitest runs without globals, so Testing Library cannot register its own cleanup.
  afterEach(() => cleanup());
}

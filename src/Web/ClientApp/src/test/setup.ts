import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// Waits are for promises and lazy chunks, not animations; a generous ceiling keeps a busy CI machine from flaking.
configure({ asyncUtilTimeout: 5000 });

// Vitest runs without globals, so Testing Library cannot register its own cleanup.
afterEach(() => cleanup());

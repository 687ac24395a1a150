import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { applyThemeChoice, readThemeChoice } from './app/theme';
import './app/theme.css';
import './features/dashboard/dashboard.css';
import './features/boards/boards.css';

// Before the first render, so a page opened in the light theme never flashes dark.
applyThemeChoice(readThemeChoice());

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { applyThemeChoice, readThemeChoice } from './app/theme';
import { installSignInRedirect } from './features/auth/session';
import { OfflineBanner } from './lib/pwa/OfflineBanner';
import { installOfflineWatch, OfflineStore, registerServiceWorker } from './lib/pwa/offline';
import './app/theme.css';
import './features/dashboard/dashboard.css';
import './features/boards/boards.css';

// Before the first render, so a page opened in the light theme never flashes dark.
applyThemeChoice(readThemeChoice());
// Any 401 from the API sends the person to the sign-in page and back.
installSignInRedirect();
// Offline: the service worker keeps the shell and the last figures; the banner says when they are from.
const offline = new OfflineStore();
installOfflineWatch(offline);
registerServiceWorker();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <OfflineBanner store={offline} />
    <App />
  </StrictMode>,
);

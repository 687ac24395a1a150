// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { BoardsApi } from './api';
import { BoardsServicesContext, defaultBoardsServices } from './services';
import { SharePanel } from './SharePanel';
import type { ShareLink } from './types';

function renderPanel(links: ShareLink[]) {
  const share = vi.fn<BoardsApi['share']>(async (_tenant, _id, expiresAt) => ({
    id: 'l2',
    token: 'tok',
    url: '/wall/tok',
    createdAt: '2026-11-25T10:00:00Z',
    expiresAt: expiresAt ?? null,
  }));
  const api = { ...defaultBoardsServices.api, share, shareLinks: async () => links } as BoardsApi;
  render(
    <BoardsServicesContext.Provider value={{ ...defaultBoardsServices, api }}>
      <SharePanel tenantId="acme" boardId="b1" onClose={() => {}} />
    </BoardsServicesContext.Provider>,
  );
  return share;
}

describe('SharePanel', () => {
  it('sends the chosen expiry with a new link, as an instant', async () => {
    const share = renderPanel([]);
    fireEvent.change(screen.getByTestId('share-expires'), { target: { value: '2026-12-01T18:30' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create a wallboard link' }));
    await screen.findByTestId('share-url');
    expect(share).toHaveBeenCalledWith('acme', 'b1', new Date('2026-12-01T18:30').toISOString());
  });

  it('sends no expiry when none is chosen', async () => {
    const share = renderPanel([]);
    fireEvent.click(screen.getByRole('button', { name: 'Create a wallboard link' }));
    await screen.findByTestId('share-url');
    expect(share).toHaveBeenCalledWith('acme', 'b1', null);
  });

  it('lists when a link stops working', async () => {
    renderPanel([{ id: 'l1', dashboardId: 'b1', createdAt: '2026-11-25T10:00:00Z', revokedAt: null, expiresAt: '2099-01-02T03:04:00Z' }]);
    expect((await screen.findByTestId('share-links')).textContent).toContain('stops');
    expect(screen.getByTestId('share-links').textContent).toContain('03:04 UTC');
  });
});

// @vitest-environment jsdom
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { VisitorsBody } from '../../lib/visitors';
import { VisitorTilesView } from './VisitorTiles';

const body: VisitorsBody = {
  connected: true,
  source: 'Google Analytics 4',
  propertyId: '555',
  updatedAt: '2026-11-25T15:30:00Z',
  timeZone: 'Europe/London',
  error: null,
  visitorsLast5Minutes: 7,
  visitorsLast30Minutes: 19,
  activeUsersPerMinute: [],
  sessionsToday: 100,
  sources: [{ source: 'google', sessions: 100 }],
  conversion: {
    today: { day: '2026-11-25', orders: 3, sessions: 100, rate: 0.03 },
    sameDayLastWeek: { day: '2026-11-18', orders: 2, sessions: 50, rate: 0.04 },
  },
};

describe('VisitorTilesView', () => {
  it('renders nothing when the store has no analytics channel', () => {
    const { container } = render(<VisitorTilesView body={{ ...body, connected: false }} timeZone="UTC" />);
    expect(container.innerHTML).toBe('');
  });

  it('shows each figure with where it comes from', () => {
    render(<VisitorTilesView body={body} timeZone="UTC" />);
    expect(screen.getByTestId('visitors-source').textContent).toBe('Google Analytics 4, realtime, updated 15:30');
    expect(screen.getByTestId('tile-visitors-30-value').textContent).toBe('19');
    expect(screen.getByTestId('tile-conversion-value').textContent).toBe('3.0%');
    expect(screen.getByTestId('visitor-sources').querySelector('tbody')!.textContent).toBe('google100100%');
  });
});

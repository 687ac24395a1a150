import { describe, expect, it } from 'vitest';
import { formatPeerFigure, peerWidgetState } from './peerFigures';
import type { PeerWidgetBody } from './widgetData';

const body = (patch: Partial<PeerWidgetBody>): PeerWidgetBody => ({
  tenantId: 'acme',
  metric: 'conversion-rate',
  hidden: null,
  message: null,
  you: 0.031,
  cohort: { level: 'IndustryAndBand', industry: 'apparel', band: 'under-10k', contributors: 6 },
  p25: 0.02,
  p50: 0.025,
  p75: 0.03,
  minimumPeers: 5,
  ...patch,
});

describe('you vs peers', () => {
  it('shows the figure against the quartiles with the cohort and how many contribute', () => {
    expect(peerWidgetState(body({}))).toEqual({
      kind: 'shown',
      you: '3.1%',
      quartiles: [
        { label: 'Bottom quarter below', value: '2.0%' },
        { label: 'Median', value: '2.5%' },
        { label: 'Top quarter above', value: '3.0%' },
      ],
      standing: 'In the top quarter of your peers',
      cohort: '6 apparel shops of your size (under-10k)',
    });
  });

  it('reads a low refund rate as the good end and a wider cohort as every size', () => {
    const state = peerWidgetState(
      body({ metric: 'refund-rate', you: 0.01, cohort: { level: 'Industry', industry: 'pets', band: '*', contributors: 9 } }),
    );
    expect(state).toMatchObject({ kind: 'shown', standing: 'In the top quarter of your peers', cohort: '9 pets shops of every size' });
    expect(peerWidgetState(body({ metric: 'refund-rate', you: 0.027 }))).toMatchObject({ standing: 'Below the median' });
  });

  it('hides every figure with the server’s reason when the cohort is too small or the plan lacks the feature', () => {
    const message = 'Not enough peers yet: a comparison is shown once at least 5 organisations contribute this figure.';
    expect(peerWidgetState(body({ hidden: 'CohortTooSmall', message, cohort: null, p25: null, p50: null, p75: null, you: null }))).toEqual({
      kind: 'hidden',
      message,
    });
    expect(peerWidgetState(body({ hidden: 'Plan', message: 'Upgrade', cohort: null, you: null }))).toEqual({ kind: 'hidden', message: 'Upgrade' });
  });

  it('prints each kind of figure in its own unit', () => {
    expect(
      [
        formatPeerFigure('average-order-value', 41.5),
        formatPeerFigure('revenue-growth-wow', -0.125),
        formatPeerFigure('roas', 2.345),
        formatPeerFigure('roas', null),
      ],
    ).toEqual(['$41.50', '-12.5%', '2.35×', '—']);
  });
});

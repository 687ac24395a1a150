using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Connectors.Polling;

/// <summary>An ad poller's cursor: the last day polled and the totals last published per campaign and day.</summary>
internal sealed record AdCursor(DateOnly? LastPolledDay, Dictionary<string, AdSpendLedger.Totals> Ledger);

/// <summary>One campaign's running totals for one day, as an ad platform reported them.</summary>
internal sealed record CampaignDay(string CampaignId, string? CampaignName, DateOnly Day, AdSpendLedger.Totals Totals, string Currency);

/// <summary>Which ad account a poll reads: the store it feeds, the channel and event id prefix, the account's zone and how far back.</summary>
internal sealed record AdSpendAccount(StoreProfile Store, SalesChannel Channel, string Prefix, TimeZoneInfo Zone, DateOnly InitialStart, int LookbackDays);

/// <summary>
/// One poll of an ad platform's campaign-day totals, shared by the ad pollers, which only read their API's pages: it
/// re-reads from the last polled day less the lookback (platforms revise recent days), publishes each campaign-day's
/// change since the totals last published (<see cref="AdSpendLedger"/>), and forgets days no poll revises again.
/// </summary>
internal static class AdSpendPoll
{
    /// <param name="readPages">Reads the days from the first to the second date, handing each page's rows on; returns the pages read.</param>
    public static async Task<PollOutcome> RunAsync(AdSpendAccount account, TypedCursor<AdCursor> cursors, ICommerceEventSink sink, TimeProvider time,
        Func<DateOnly, DateOnly, Func<IReadOnlyList<CampaignDay>, Task>, Task<int>> readPages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(cursors);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(readPages);
        var lookback = Math.Max(0, account.LookbackDays);
        var today = ReportDays.Today(time, account.Zone);
        var cursor = await cursors.LoadAsync(cancellationToken) ?? new AdCursor(null, []);
        var since = cursor.LastPolledDay is { } last ? last.AddDays(-lookback) : account.InitialStart;
        since = since > today ? today : since;
        var ledger = new Dictionary<string, AdSpendLedger.Totals>(cursor.Ledger, StringComparer.Ordinal);

        var published = 0;
        var rows = 0;
        var pages = await readPages(since, today, async page =>
        {
            rows += page.Count;
            var events = new List<CommerceEvent>();
            foreach (var row in page)
            {
                if (AdSpendLedger.Delta(ledger, account.Store.Store, account.Channel, account.Prefix, row.CampaignId, row.Day, row.Totals, row.Currency,
                        account.Store.TimeZone, account.Zone, time.GetUtcNow(), row.CampaignName) is { } delta)
                {
                    events.Add(delta);
                }
            }

            published += events.Count == 0 ? 0 : await sink.PublishAsync(events, cancellationToken);
        });

        AdSpendLedger.Prune(ledger, today.AddDays(-lookback - 1));
        await cursors.SaveAsync(new AdCursor(today, ledger), cancellationToken);
        return new PollOutcome(published, pages, $"{rows} campaign-day row(s) for {ReportDays.Iso(since)}..{ReportDays.Iso(today)}, {published} spend change(s)");
    }
}

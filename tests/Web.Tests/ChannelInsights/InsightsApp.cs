using SalesDash.Web.Tests.Hosting;
using SalesDash.Web.Tests.History;

namespace SalesDash.Web.Tests.ChannelInsights;

/// <summary>
/// The shared <see cref="SalesDashHost"/> on either history store with the channel scheduler off. Several hosts given the
/// same <paramref name="clickHouseDatabase"/> share one history store as the nodes of a deployment do, each with its own
/// data folder (journal, channel connections); the caller drops a database it named.
/// </summary>
/// <param name="dataDirectory">A data folder to reuse (a restarted node); a fresh one is made and deleted when null.</param>
public sealed class InsightsApp(string snapshots, string? clickHouseDatabase = null, string? dataDirectory = null) : SalesDashHost(new SalesDashHostOptions
{
    History = snapshots,
    ClickHouseDatabase = clickHouseDatabase,
    DataDirectory = dataDirectory,
    Settings = HistoryApp.FastHistory(new Dictionary<string, string> { ["Channels:SchedulerEnabled"] = "false" }),
});

using System.Globalization;
using Microsoft.Extensions.DependencyInjection;

namespace SalesDash.Tests.Shared;

/// <summary>A store a test host is configured with (<c>Stores:n:*</c>, read by the store seeder at start).</summary>
public sealed record HostedStore(
    string TenantId, string StoreId, string Name, string ShopDomain, string Currency, string TimeZone, string WebhookSecret, string Channel = "Shopify");

/// <summary>
/// What a SalesDash test host differs in; everything else is the same for every host of Web.Tests (in memory) and
/// EndToEnd.Tests (on Kestrel). This file is linked into both, so the configuration a test app starts with is written
/// in one place (<see cref="Configuration"/>).
/// </summary>
public sealed record SalesDashHostOptions
{
    /// <summary>Configuration on top of the host's own (e.g. a plan per organisation, PostgreSQL, a provider URL); it wins over every default.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>Services swapped in after the app's own (fakes, handlers), after the frozen clock.</summary>
    public Action<IServiceCollection>? Services { get; init; }

    /// <summary>The stores declared in configuration; null means the test project's usual stores, empty means none.</summary>
    public IReadOnlyList<HostedStore>? Stores { get; init; }

    /// <summary>
    /// True (the default) when features, not plans, are under test: a self-hosted install puts every organisation on
    /// Enterprise. False for the app as sold (trial, Free, billing).
    /// </summary>
    public bool SelfHosted { get; init; } = true;

    /// <summary>A data folder (journal, app database, DuckDB history) to use and leave in place; null makes a fresh one the host deletes.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>"DuckDb" (the default: a file in the data folder) or "ClickHouse" (a database on SALESDASH_CLICKHOUSE_URL).</summary>
    public string History { get; init; } = "DuckDb";

    /// <summary>
    /// The ClickHouse database of <see cref="History"/> "ClickHouse": given, it is shared (nodes of one deployment) and the
    /// caller drops it; null, the host makes a fresh one and drops it when it stops.
    /// </summary>
    public string? ClickHouseDatabase { get; init; }

    /// <summary>Mail goes to the loopback SMTP server of scripts/services/smtp.sh (SALESDASH_SMTP) when one is running.</summary>
    public bool LoopbackSmtp { get; init; }

    public const string ClickHouseUrlVariable = "SALESDASH_CLICKHOUSE_URL";

    /// <summary>The ClickHouse server ./test.sh starts; a test that needs it fails without it.</summary>
    public static Uri ClickHouseUrl() =>
        Environment.GetEnvironmentVariable(ClickHouseUrlVariable) is { Length: > 0 } url
            ? new Uri(url)
            : throw new InvalidOperationException(
                $"{ClickHouseUrlVariable} is not set: start ClickHouse with scripts/services/clickhouse.sh (./test.sh does) and export its URL.");

    /// <summary>The Mail: settings that point at <paramref name="smtp"/> ("host:port").</summary>
    public static Dictionary<string, string> SmtpSettings(string smtp)
    {
        var colon = smtp.LastIndexOf(':');
        return new Dictionary<string, string> { ["Mail:SmtpHost"] = smtp[..colon], ["Mail:SmtpPort"] = smtp[(colon + 1)..] };
    }

    /// <summary>
    /// The configuration a host starts with, in order (later keys win): the shared defaults, the stores, the history
    /// store, the loopback mail relay, then <see cref="Settings"/>.
    /// </summary>
    /// <param name="dataDirectory">The data folder the host uses.</param>
    /// <param name="usualStores">The test project's stores, used when <see cref="Stores"/> is null.</param>
    /// <param name="clickHouseConnection">Turns a ClickHouse server and database into the history store's connection string.</param>
    public IEnumerable<KeyValuePair<string, string>> Configuration(
        string dataDirectory, IReadOnlyList<HostedStore> usualStores, string clickHouseDatabase, Func<Uri, string, string> clickHouseConnection)
    {
        ArgumentNullException.ThrowIfNull(usualStores);
        ArgumentNullException.ThrowIfNull(clickHouseConnection);
        yield return new("Engine:DataDirectory", dataDirectory);
        // Tiles reach a page or a hub client within a test's patience rather than the production interval.
        yield return new("Engine:TilePublishInterval", "00:00:00.100");
        yield return new("Demo:Enabled", "false");
        if (SelfHosted)
        {
            yield return new("Plans:SelfHosted", "true");
        }

        foreach (var (store, index) in (Stores ?? usualStores).Select((s, i) => (s, i)))
        {
            var prefix = string.Create(CultureInfo.InvariantCulture, $"Stores:{index}:");
            yield return new(prefix + "TenantId", store.TenantId);
            yield return new(prefix + "StoreId", store.StoreId);
            yield return new(prefix + "Name", store.Name);
            yield return new(prefix + "Channel", store.Channel);
            yield return new(prefix + "ShopDomain", store.ShopDomain);
            yield return new(prefix + "Currency", store.Currency);
            yield return new(prefix + "TimeZone", store.TimeZone);
            yield return new(prefix + "WebhookSecret", store.WebhookSecret);
        }

        if (History == "ClickHouse")
        {
            yield return new("Engine:Snapshots", "ClickHouse");
            yield return new("Engine:SnapshotConnectionString", clickHouseConnection(ClickHouseUrl(), clickHouseDatabase));
        }

        if (LoopbackSmtp && Environment.GetEnvironmentVariable("SALESDASH_SMTP") is { Length: > 0 } smtp)
        {
            foreach (var setting in SmtpSettings(smtp))
            {
                yield return setting;
            }
        }

        foreach (var setting in Settings)
        {
            yield return setting;
        }
    }
}

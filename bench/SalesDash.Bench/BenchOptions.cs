using System.Globalization;

namespace SalesDash.Bench;

/// <summary>What to load and where; parsed from the command line (see README.md).</summary>
public sealed record BenchOptions
{
    public int Orders { get; init; } = 5_000;
    public int Concurrency { get; init; } = 64;

    /// <summary>Size each webhook body is padded to; Shopify order payloads run to several kilobytes.</summary>
    public int BodyBytes { get; init; } = 5 * 1024;

    /// <summary>Webhooks per second offered in the paced latency phase; 0 skips it.</summary>
    public int Rate { get; init; } = 2_000;

    /// <summary>
    /// Several paced phases one after another, at these rates (--rates 2000,3000,4000), each reported on its own with its
    /// share of 503s, then the highest rate sustained; null: one phase at <see cref="Rate"/>.
    /// </summary>
    public IReadOnlyList<int>? Rates { get; init; }

    /// <summary>How long the paced latency phase lasts.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Most paced POSTs awaiting an answer at once.</summary>
    public int MaxInFlight { get; init; } = 256;

    /// <summary>
    /// Whether the paced phases' sender runs in a process of its own (<see cref="PacedSenderProcess"/>), as webhook senders
    /// do, rather than on the thread pool of the bench's process, which hosts the app under test.
    /// </summary>
    public bool SenderInOwnProcess { get; init; } = true;

    /// <summary>Whether to measure the bare-endpoint ceiling (in-process runs only).</summary>
    public bool Ceiling { get; init; } = true;

    /// <summary>Orders posted to the bare endpoint in each of its two phases (before and after the app's); null: twice <see cref="Orders"/>, since at about 8,000/s on a quiet box one --orders 15000 phase lasted 2 s.</summary>
    public int? CeilingOrders { get; init; }

    /// <summary>Orders posted and awaited before measuring, so JIT and first-use costs stay out of the figures.</summary>
    public int Warmup { get; init; } = 200;

    /// <summary>Wallboard connections for the fan-out phase (issue 15 pt 5); 0 skips it.</summary>
    public int Wallboards { get; init; }

    /// <summary>Orders per second offered while the wallboards watch.</summary>
    public int WallboardRate { get; init; } = 20;

    /// <summary>
    /// In-process runs: the organisation's reporting currency (the store sells in USD), with a USD rate to it seeded, so
    /// every event also carries its reporting conversion, as a multi-currency merchant's do. Null: none (the default).
    /// </summary>
    public string? ReportingCurrency { get; init; }

    /// <summary>In-process runs: the engine's tile publish interval (how long a store's tiles rest after a push); null: the app's default.</summary>
    public TimeSpan? TileInterval { get; init; }

    /// <summary>In-process runs: configuration set on the app after the bench's own (--setting Key=Value, repeatable).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Settings { get; init; } = [];

    /// <summary>In-process runs: list the phases' allocation by type, this many types each (0: off; listening costs CPU).</summary>
    public int AllocTypes { get; init; }

    /// <summary>Null: start the app in-process on a free loopback port with a fresh data folder.</summary>
    public Uri? Url { get; init; }

    public string TenantId { get; init; } = "bench";
    public string StoreId { get; init; } = "bench-shop";
    public string ShopDomain { get; init; } = "bench-shop.myshopify.com";

    /// <summary>The store's webhook secret; in-process runs make one up.</summary>
    public string WebhookSecret { get; init; } = "shpss_bench_" + Guid.NewGuid().ToString("N");

    /// <summary>An API key of the store's organisation, for the hub subscription; in-process runs make one up and install it.</summary>
    public string ApiKey { get; init; } = $"sdk_bench{Guid.NewGuid().ToString("N")[..8]}_{Guid.NewGuid():N}";

    /// <summary>How long to wait for the last tile update after the last POST.</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public const string Usage = """
        SalesDash.Bench: posts signed Shopify orders/create webhooks and measures throughput and event-to-tile latency.

          --orders N          orders to post and measure (default 5000)
          --concurrency C     concurrent HttpClients posting (default 64)
          --body-bytes B      pad each webhook body to about B bytes (default 5120)
          --rate R            webhooks/s offered in the paced latency phase; 0 skips it (default 2000)
          --rates R1,R2,...   several paced phases, one per rate, and the highest rate sustained (every POST sent on
                              time and accepted); replaces --rate
          --duration S        seconds the paced latency phase lasts (default 10)
          --max-in-flight M   paced POSTs awaiting an answer at once (default 256)
          --sender WHERE      process (default): the paced phases' sender runs in a child process with its own thread
                              pool; in-process: on the bench's pool, beside the app (the figures before stop 28)
          --ceiling B         true/false: measure the bare endpoint (HMAC + JSON, no engine) before and after the
                              app's phase; the ratio to the higher of the two is the headline (default true)
          --ceiling-orders N  orders posted to the bare endpoint in each of its two phases (default: twice --orders)
          --warmup N          orders posted first and not measured (default 200)
          --wallboards W      fan-out phase: W SignalR WebSocket connections watch the store (default 0: skipped)
          --wallboard-rate R  orders/s posted while they watch (default 20); reports pushes/s and push lag
          --reporting-currency CUR  in-process: the organisation reports in CUR (a USD->CUR rate is seeded), so each
                              event is also converted, as for a multi-currency merchant (default: none)
          --tile-interval MS  in-process: Engine:TilePublishInterval in milliseconds (default: the app's own)
          --alloc-types N     in-process: the app's and the ceiling's phase allocation by type, the top N types (costs CPU)
          --setting K=V       in-process: one configuration value for the app, e.g. Webhooks:QueueLimit=64 (repeatable)
          --url URL           target a running SalesDash instead of starting one in-process;
                              then also --tenant, --store, --shop-domain and --secret of a Shopify store it knows
                              (use a store nothing else writes to: other events would shorten the measured latency)
          --tenant ID --store ID --shop-domain DOMAIN --secret SECRET
          --api-key KEY       with --url: an API key of that organisation (Organisation → API keys), to watch the tiles
        """;

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        var secretGiven = false;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            var value = i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value");
            switch (name)
            {
                case "--orders": options = options with { Orders = Count(name, value, 1) }; break;
                case "--concurrency": options = options with { Concurrency = Count(name, value, 1) }; break;
                case "--warmup": options = options with { Warmup = Count(name, value, 0) }; break;
                case "--body-bytes": options = options with { BodyBytes = Count(name, value, 0) }; break;
                case "--rate": options = options with { Rate = Count(name, value, 0) }; break;
                case "--rates": options = options with { Rates = [.. value.Split(',').Select(r => Count(name, r.Trim(), 1))] }; break;
                case "--duration": options = options with { Duration = TimeSpan.FromSeconds(Count(name, value, 1)) }; break;
                case "--max-in-flight": options = options with { MaxInFlight = Count(name, value, 1) }; break;
                case "--ceiling-orders": options = options with { CeilingOrders = Count(name, value, 1) }; break;
                case "--sender": options = options with { SenderInOwnProcess = value switch { "process" => true, "in-process" => false, _ => throw new ArgumentException($"{name} must be process or in-process") } }; break;
                case "--ceiling": options = options with { Ceiling = bool.TryParse(value, out var b) ? b : throw new ArgumentException($"{name} must be true or false") }; break;
                case "--wallboards": options = options with { Wallboards = Count(name, value, 0) }; break;
                case "--wallboard-rate": options = options with { WallboardRate = Count(name, value, 1) }; break;
                case "--reporting-currency": options = options with { ReportingCurrency = Currency(name, value) }; break;
                case "--tile-interval": options = options with { TileInterval = TimeSpan.FromMilliseconds(Count(name, value, 1)) }; break;
                case "--alloc-types": options = options with { AllocTypes = Count(name, value, 0) }; break;
                case "--setting": options = options with { Settings = [.. options.Settings, Setting(name, value)] }; break;
                case "--url": options = options with { Url = new Uri(value.TrimEnd('/') + "/") }; break;
                case "--tenant": options = options with { TenantId = value }; break;
                case "--store": options = options with { StoreId = value }; break;
                case "--shop-domain": options = options with { ShopDomain = value }; break;
                case "--secret": options = options with { WebhookSecret = value }; secretGiven = true; break;
                case "--api-key": options = options with { ApiKey = value }; break;
                default: throw new ArgumentException($"Unknown argument {name}");
            }
        }

        if (options.Url is not null && !secretGiven)
        {
            throw new ArgumentException("--url needs --secret (and --tenant, --store, --shop-domain unless the defaults match)");
        }

        return options;
    }

    private static string Currency(string name, string value) =>
        value.Length == 3 && value.All(char.IsAsciiLetter) && !string.Equals(value, "USD", StringComparison.OrdinalIgnoreCase)
            ? value.ToUpperInvariant()
            : throw new ArgumentException($"{name} must be a three-letter currency code other than USD (the store's)");

    private static KeyValuePair<string, string> Setting(string name, string value) =>
        value.IndexOf('=', StringComparison.Ordinal) is var at and > 0
            ? new(value[..at], value[(at + 1)..])
            : throw new ArgumentException($"{name} must be Key=Value");

    private static int Count(string name, string value, int minimum) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= minimum
            ? n
            : throw new ArgumentException($"{name} must be a whole number of at least {minimum}");
}

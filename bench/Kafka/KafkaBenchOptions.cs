using System.Globalization;

namespace SalesDash.Bench.Kafka;

/// <summary>How much to send in each phase of the Kafka bench; parsed from the command line (see bench/README.md).</summary>
public sealed record KafkaBenchOptions
{
    /// <summary>Events in the raw produce (a), in the webhook phase (b) and in the backlog the engine folds (c).</summary>
    public int Events { get; init; } = 10_000;

    /// <summary>Concurrent HttpClients posting in the webhook phase (b).</summary>
    public int Concurrency { get; init; } = 32;

    /// <summary>Webhooks posted and awaited before anything is measured, so JIT and first-use costs stay out of the figures.</summary>
    public int Warmup { get; init; } = 500;

    /// <summary>Webhooks per second offered in the latency phase (d): the issue asks for 10k events/s.</summary>
    public int Rate { get; init; } = 10_000;

    /// <summary>How long the paced load of (d) lasts; what the app cannot take by then is not sent.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Most paced POSTs waiting for an answer at once; when reached, sending falls behind the schedule.</summary>
    public int MaxInFlight { get; init; } = 256;

    /// <summary>When the offered rate is not reached, run (d) again at 80% of what was accepted, so latency is also shown unsaturated.</summary>
    public bool StepDown { get; init; } = true;

    /// <summary>Partitions of both topics; 12 is the product's default (KafkaOptions.Partitions).</summary>
    public int Partitions { get; init; } = 12;

    /// <summary>
    /// Most bytes the backlog of (c) runs ahead of the group's commit; 0 puts it on the topic at once. librdkafka's
    /// mock broker keeps 5 MiB per partition and deletes older records, read or not (see BacklogFeeder).
    /// </summary>
    public int MaxUnreadMiB { get; init; } = 3;

    /// <summary>
    /// 0: the full run (a)–(d). N ≥ 1: only the engine's fold rate, from a backlog of <see cref="Events"/> records over N
    /// stores put on the topic before the app starts (see FoldBench).
    /// </summary>
    public int FoldStores { get; init; }

    /// <summary>Only the fold's allocation and CPU per record by stage, without Kafka or the app (see FoldStages).</summary>
    public bool FoldStages { get; init; }

    /// <summary>
    /// With --fold-stores: how many of the stores (the first N) a screen watches through the node's tile relay during (c), so
    /// their entities build and push tiles on each change; the rest are watched by nobody and build none. 0 = none.
    /// </summary>
    public int FoldWatched { get; init; }

    /// <summary>With --fold-stores: the N types (c) allocates most, from the runtime's allocation sampling; 0 = off.</summary>
    public int AllocTypes { get; init; }

    /// <summary>
    /// Lingers (ms) at which the awaited-acks yardstick is run again beside the app's default, to choose Kafka:Linger by
    /// measurement; empty (the default) runs it only at the app's default.
    /// </summary>
    public IReadOnlyList<int> Lingers { get; init; } = [];

    /// <summary>The store the in-process app knows; its fresh secret signs every webhook.</summary>
    public BenchOptions Store { get; init; } = new();

    public const string Usage = """
        SalesDash.Bench.Kafka: the Kafka ingestion path's figures next to the raw librdkafka produce rate.

          --events N          events for the raw produce, the webhook phase and the engine's backlog (default 10000)
          --concurrency C     concurrent HttpClients in the webhook phase (default 32)
          --warmup N          webhooks posted first and not measured (default 500)
          --rate R            webhooks/s offered in the latency phase (default 10000)
          --duration S        seconds the latency phase lasts (default 10)
          --max-in-flight M   paced POSTs awaiting an answer at once (default 256)
          --step-down B       true/false: if the rate is not reached, measure latency again at 80% of what was accepted (default true)
          --partitions P      partitions of the topics (default 12)
          --max-unread-mib M  the backlog (c) runs at most M MiB ahead of the group's commit; 0 = all at once, which
                              overruns the mock broker's 5 MiB per partition (default 3)
          --lingers L,L       also run the awaited-acks yardstick at these linger.ms values (the app's own linger is set
                              with the Kafka__Linger environment variable, e.g. 00:00:00.001)
          --fold-stores N     only the fold rate (c): the backlog spread over N stores is on the topic before the app
                              starts, timed from the first record folded to the last (default 0: the full run)
          --fold-stages B     true: only the fold's allocation and CPU per record by stage (decode, fold, history
                              hand-off, a publish), on --events records, without Kafka or the app
          --alloc-types N     with --fold-stores: also print the N types (c) allocates most (the runtime's
                              allocation sampling, in process; default 0: off)
          --fold-watched N    with --fold-stores: a screen watches the first N stores through the node's relay during
                              (c), so their entities build and push tiles (default 0: nobody watches, no tiles built)
          --settle S          seconds a phase may take to settle before it is reported as not reached (default 60)
        """;

    public static KafkaBenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new KafkaBenchOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            var value = i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value");
            options = name switch
            {
                "--events" => options with { Events = Count(name, value, 1) },
                "--concurrency" => options with { Concurrency = Count(name, value, 1) },
                "--warmup" => options with { Warmup = Count(name, value, 0) },
                "--rate" => options with { Rate = Count(name, value, 1) },
                "--duration" => options with { Duration = TimeSpan.FromSeconds(Count(name, value, 1)) },
                "--max-in-flight" => options with { MaxInFlight = Count(name, value, 1) },
                "--step-down" => options with { StepDown = bool.TryParse(value, out var b) ? b : throw new ArgumentException($"{name} must be true or false") },
                "--partitions" => options with { Partitions = Count(name, value, 1) },
                "--max-unread-mib" => options with { MaxUnreadMiB = Count(name, value, 0) },
                "--lingers" => options with { Lingers = [.. value.Split(',').Select(l => Count(name, l, 0))] },
                "--fold-stores" => options with { FoldStores = Count(name, value, 0) },
                "--fold-stages" => options with { FoldStages = bool.TryParse(value, out var stages) ? stages : throw new ArgumentException($"{name} must be true or false") },
                "--fold-watched" => options with { FoldWatched = Count(name, value, 0) },
                "--alloc-types" => options with { AllocTypes = Count(name, value, 0) },
                "--settle" => options with { Store = options.Store with { SettleTimeout = TimeSpan.FromSeconds(Count(name, value, 1)) } },
                _ => throw new ArgumentException($"Unknown argument {name}"),
            };
        }

        return options;
    }

    private static int Count(string name, string value, int minimum) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= minimum
            ? n
            : throw new ArgumentException($"{name} must be a whole number of at least {minimum}");
}

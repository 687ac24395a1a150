namespace SalesDash.Engine;

/// <summary>Which journal backs Akka.Persistence.Sql.</summary>
public enum JournalProvider
{
    /// <summary>Embedded default: a SQLite file under the data folder.</summary>
    Sqlite,
    PostgreSql,
}

/// <summary>Which store receives per-minute snapshots and answers history.</summary>
public enum SnapshotProvider
{
    /// <summary>Embedded default: a DuckDB file under the data folder.</summary>
    DuckDb,
    ClickHouse,
}

/// <summary>Engine settings, bound from the "Engine" configuration section and validated on start.</summary>
public sealed class EngineOptions
{
    public const string Section = "Engine";

    /// <summary>Folder for the embedded SQLite journal and DuckDB file; created if missing.</summary>
    public string DataDirectory { get; set; } = "data";

    public JournalProvider Journal { get; set; } = JournalProvider.Sqlite;

    /// <summary>Connection string for the journal; empty means the embedded SQLite file in <see cref="DataDirectory"/>.</summary>
    public string? JournalConnectionString { get; set; }

    public SnapshotProvider Snapshots { get; set; } = SnapshotProvider.DuckDb;

    /// <summary>Connection string for the snapshot store; empty means the embedded DuckDB file in <see cref="DataDirectory"/>.</summary>
    public string? SnapshotConnectionString { get; set; }

    /// <summary>How long per-minute rows are batched before a write to the snapshot store.</summary>
    public TimeSpan SnapshotFlushInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A store's first change after a quiet spell is pushed at once; later changes within this interval are coalesced into
    /// one push at its end. 100 ms: under steady load an event waits half an interval on average for its push, and the
    /// goal is p50 &lt; 100 ms to the screen. Screens are paced on their own by the web node's relay (Hubs:ScreenPushesPerSecond),
    /// so a busy wall of TVs does not get every one of these.
    /// </summary>
    public TimeSpan TilePublishInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How often a store's entity reads the clock for completed minutes to publish; a minute reaches its watchers at most this late.</summary>
    public TimeSpan MinuteCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long ingestion and tile queries wait for the store's entity (recovery included) before failing.</summary>
    public TimeSpan AskTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Whether the webhook door resumes the requests a group commit answers from one thread-pool item (<see
    /// cref="Ingestion.AnswerQueue"/>) rather than one item each; off is the fallback if one worker cannot keep up.
    /// </summary>
    public bool AnswerWebhooksTogether { get; set; } = true;
}

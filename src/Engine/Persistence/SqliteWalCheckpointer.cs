using System.Diagnostics.Metrics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SalesDash.Engine.Telemetry;

namespace SalesDash.Engine.Persistence;

/// <summary>
/// Checkpoints the write-ahead logs of the embedded journal's file and of the snapshot store's file once a second on
/// connections and a thread of its own, since their connections no longer do it inside a commit
/// (<see cref="SqliteJournalConnections"/>). A passive checkpoint
/// copies what it can without waiting for a reader or taking the write lock, so journal commits go on beside it; once
/// the whole log is copied, the next commit starts the log again from its beginning, so the log holds about one
/// interval of writes. Its fsync of the database file blocks this thread, not a pool thread a webhook needs.
/// </summary>
public sealed class SqliteWalCheckpointer : HostedMeter, IHostedService
{
    /// <summary>The meter the bench and an operator's collector read the checkpoints from.</summary>
    public const string MeterName = "SalesDash.Engine.Journal";

    /// <summary>
    /// One second: at 2,000 webhooks/s that is 2–4 MiB of log, about what SQLite's own 1,000-page threshold let grow,
    /// and a log that small replays in milliseconds when a crashed node opens the file again.
    /// </summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly EngineOptions _engine;
    private readonly TimeProvider _time;
    private readonly ILogger<SqliteWalCheckpointer> _log;
    private readonly Histogram<double> _duration;
    private readonly Histogram<int> _frames;
    private readonly CancellationTokenSource _stopping = new();
    private Thread? _thread;
    private int _stopped;

    /// <summary>Uses the host's meter factory when there is one, so the meter is disposed with the host.</summary>
    public SqliteWalCheckpointer(IOptions<EngineOptions> engine, TimeProvider time, ILogger<SqliteWalCheckpointer> log, IMeterFactory? meterFactory = null)
        : base(MeterName, meterFactory)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _engine = engine.Value;
        _time = time;
        _log = log;
        _duration = Meter.CreateHistogram<double>("salesdash.journal.checkpoint", "ms");
        _frames = Meter.CreateHistogram<int>("salesdash.journal.checkpoint.frames", "{page}");
    }

    /// <summary>What one passive checkpoint found: pages in the log, and how many of them are now in the database file.</summary>
    public readonly record struct Outcome(int LogFrames, int CheckpointedFrames);

    /// <summary>
    /// Runs one passive checkpoint on <paramref name="connection"/> (open, on the journal's or the snapshot store's file).
    /// A log that is not in WAL mode reports −1 frames.
    /// </summary>
    public static Outcome CheckpointOnce(SqliteConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        using var reader = command.ExecuteReader();
        reader.Read();
        return new Outcome(reader.GetInt32(1), reader.GetInt32(2));
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_engine.Journal == JournalProvider.Sqlite)
        {
            _thread = new Thread(Run) { IsBackground = true, Name = "journal-checkpoint" };
            _thread.Start();
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Stop();
        return Task.CompletedTask;
    }

    private void Stop()
    {
        // Once only: a host killed in a test is disposed first and may still be stopped after (the token is gone by then).
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        _stopping.Cancel();
        // A checkpoint under way finishes first (its fsync cannot be cut short); the next tick is never waited for.
        _thread?.Join();
    }

    private void Run()
    {
        // ReadWrite, not ReadWriteCreate: before the engine has made a file there is nothing to checkpoint, and this
        // connection must not make one outside WAL mode. Not pooled: opened once a tick, closed, nothing held between.
        var journal = SqliteJournalConnections.ConnectionString(_engine);
        var files = new[]
        {
            (Name: "journal", ConnectionString: ReadWrite(journal)),
            (Name: "snapshots", ConnectionString: ReadWrite(SqliteJournalConnections.SnapshotConnectionString(journal))),
        };
        var stopping = _stopping.Token;
        using var timer = new PeriodicTimer(Interval, _time);
        try
        {
            while (timer.WaitForNextTickAsync(stopping).AsTask().GetAwaiter().GetResult())
            {
                foreach (var (name, connectionString) in files)
                {
                    Tick(name, connectionString);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private static string ReadWrite(string connectionString) =>
        new SqliteConnectionStringBuilder(connectionString) { Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString();

    private void Tick(string file, string connectionString)
    {
        try
        {
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            var started = _time.GetTimestamp();
            var outcome = CheckpointOnce(connection);
            if (outcome.LogFrames > 0)
            {
                var tag = new KeyValuePair<string, object?>("file", file);
                _duration.Record(_time.GetElapsedTime(started).TotalMilliseconds, tag);
                _frames.Record(outcome.CheckpointedFrames, tag);
            }
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SQLitePCL.raw.SQLITE_CANTOPEN)
        {
            // The engine has not made this file yet.
        }
        catch (SqliteException ex)
        {
            // The log keeps every commit until a later tick copies it; only its size grows meanwhile.
            _log.LogWarning(ex, "Checkpoint of the {File} file's write-ahead log failed; the next one retries", file);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // A host disposed without being stopped (a test's crash) must not leave the thread ticking on a disposed token.
            Stop();
            _stopping.Dispose();
        }

        base.Dispose(disposing);
    }
}

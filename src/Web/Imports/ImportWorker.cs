using Microsoft.Extensions.Options;
using SalesDash.Connectors.Currency;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Quarantine;
using SalesDash.Engine.Stores;

namespace SalesDash.Web.Imports;

/// <summary>
/// Runs imports from the app database, one at a time per node. Each file is read, then every event goes through the
/// same ingestion path as a webhook (<see cref="IngestionPipeline"/>: guard, currency conversion, ingest), so live tiles and history agree and a job
/// started again after a node died is recognised event by event. Events are ingested a few at a time in parallel:
/// the entity journals them in batches, so this is what makes an import fast without letting it flood the cluster.
/// </summary>
public sealed partial class ImportWorker(
    ImportJobs jobs, ImportSignal signal, IngestionPipeline pipeline, IStoreDirectory stores, IOptions<ImportOptions> options, TimeProvider time,
    ILogger<ImportWorker> logger) : BackgroundService
{
    /// <summary>Events in flight per import; enough to keep journal batches full, few enough to leave room for webhooks.</summary>
    public const int Parallelism = 32;

    /// <summary>Events between progress writes (and lease renewals): a few a second at import speed, not one per event.</summary>
    private const int BatchEvents = 1024;

    /// <summary>This process's name on the jobs it claims; a restarted node is a new claimant and waits out its old lease.</summary>
    private readonly string _node = $"{Environment.MachineName}/{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunJobs)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            ImportJob? job = null;
            try
            {
                job = await jobs.TryClaimAsync(_node, options.Value.Lease, stoppingToken);
                if (job is null)
                {
                    await signal.WaitAsync(options.Value.PollInterval, time, stoppingToken);
                    continue;
                }

                await RunAsync(job, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                if (job is not null)
                {
                    // Handed back, not failed: the next node (or this one restarted) runs it again, and rows already in are recognised.
                    await jobs.ReleaseAsync(job.Id, _node, CancellationToken.None);
                }

                return;
            }
            catch (Exception ex)
            {
                LogFailed(logger, job?.Id, ex);
                await FailAsync(job, ex, stoppingToken);
            }
        }
    }

    private async Task FailAsync(ImportJob? job, Exception ex, CancellationToken stoppingToken)
    {
        try
        {
            if (job is not null)
            {
                await jobs.FinishAsync(job.Id, _node, new ImportCounters(0, 0, 0, 0, []), ex.Message, stoppingToken);
                return;
            }
        }
        catch (Exception again) when (again is not OperationCanceledException)
        {
            LogFailed(logger, job?.Id, again);
        }

        // The database is unreachable: wait before asking again rather than spin; the job's lease lets a node retry it.
        await signal.WaitAsync(options.Value.PollInterval, time, stoppingToken);
    }

    private async Task RunAsync(ImportJob job, CancellationToken cancellationToken)
    {
        var profile = await stores.GetAsync(job.Store, cancellationToken);
        if (profile is null)
        {
            await jobs.FinishAsync(job.Id, _node, new ImportCounters(0, 0, 0, 0, []), $"store {job.Store} no longer exists", cancellationToken);
            return;
        }

        if (profile.DisconnectedAt is { } disconnectedAt)
        {
            // Queued before the store was disconnected: nothing of it is written, and the job says why.
            await jobs.FinishAsync(job.Id, _node, new ImportCounters(0, 0, 0, 0, []), ImportAdmission.DisconnectedDetail(profile, disconnectedAt), cancellationToken);
            return;
        }

        var target = new ImportTarget(profile.Store, profile.Channel, profile.Currency, profile.TimeZone);
        TableRead read;
        await using (var file = jobs.OpenFile(job.Id))
        {
            read = await TableImport.ReadAsync(file, job.Settings, target, previewRows: 0, cancellationToken);
        }

        var parsed = read.Parsed;
        if (read.Failure is { } failure)
        {
            await jobs.FinishAsync(job.Id, _node, new ImportCounters(parsed.DataRows, parsed.DataRows, 0, 0, []), $"Nothing imported: {failure}", cancellationToken);
            return;
        }

        var progress = new Progress(parsed.DataRows, Math.Max(0, parsed.DataRows - parsed.Events.Sum(e => e.Rows)), parsed.Errors);
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        foreach (var batch in parsed.Events.Chunk(BatchEvents))
        {
            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = lost.Token },
                async (item, ct) =>
                {
                    try
                    {
                        var outcome = await pipeline.IngestAsync(profile, item.Event, ct);
                        progress.EventDone(item.Rows, outcome == IngestOutcome.Accepted);
                    }
                    catch (Exception ex) when (ex is InvalidCommerceEventException or MissingExchangeRateException)
                    {
                        progress.EventFailed(new ImportError(item.FirstLine, ex.Message), item.Rows);
                    }
                });

            if (!await jobs.ReportAsync(job.Id, _node, progress.Counters(), options.Value.Lease, cancellationToken))
            {
                // Another node took the job over (this one was too slow to renew): it runs it now, so stop here.
                LogLost(logger, job.Id);
                return;
            }

            if (await stores.GetAsync(job.Store, cancellationToken) is not { DisconnectedAt: null })
            {
                // Disconnected (or deleted) while it ran: what is in stays (as with any data taken before the disconnect),
                // the rest is not taken, and the job says so.
                var stopped = progress.Counters();
                await jobs.FinishAsync(job.Id, _node, stopped,
                    $"Stopped after {stopped.EventsAccepted + stopped.EventsDuplicate} event(s): {profile.Name} was disconnected or deleted while the file was imported.", cancellationToken);
                return;
            }
        }

        var counters = progress.Counters();
        var ingested = counters.EventsAccepted + counters.EventsDuplicate;
        await jobs.FinishAsync(job.Id, _node, counters, ingested > 0 ? null : NothingAccepted(counters), cancellationToken);
    }

    /// <summary>A job that brought in nothing has failed, and says why in words, not only in its error list.</summary>
    private static string NothingAccepted(ImportCounters counters) => counters.TotalRows == 0
        ? "Nothing imported: the file has a header but no data rows"
        : $"Nothing imported: all {counters.TotalRows} row(s) were rejected"
            + (counters.Errors.OrderBy(e => e.Line).FirstOrDefault() is { } first ? $"; the first, line {first.Line}: {first.Message}" : string.Empty);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Import {ImportId} failed")]
    private static partial void LogFailed(ILogger logger, Guid? importId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Import {ImportId} was taken over by another node; this node stops running it")]
    private static partial void LogLost(ILogger logger, Guid importId);

    /// <summary>Counters the parallel ingest updates.</summary>
    private sealed class Progress(int totalRows, int rejectedRows, IReadOnlyList<ImportError> parseErrors)
    {
        private readonly Lock _gate = new();
        private readonly List<ImportError> _errors = [.. parseErrors];
        private int _rowsDone = rejectedRows;
        private int _accepted;
        private int _duplicates;

        public void EventDone(int rows, bool accepted)
        {
            lock (_gate)
            {
                _rowsDone += rows;
                if (accepted)
                {
                    _accepted++;
                }
                else
                {
                    _duplicates++;
                }
            }
        }

        public void EventFailed(ImportError error, int rows)
        {
            lock (_gate)
            {
                _errors.Add(error);
                _rowsDone += rows;
            }
        }

        public ImportCounters Counters()
        {
            lock (_gate)
            {
                return new ImportCounters(totalRows, Math.Min(_rowsDone, totalRows), _accepted, _duplicates, [.. _errors]);
            }
        }
    }
}

/// <summary>Wakes this node's worker when an upload here is queued, so it need not wait for its next look.</summary>
public sealed class ImportSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Set()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already set: one wake-up covers any number of uploads, since the worker claims until none is left.
        }
    }

    public async Task WaitAsync(TimeSpan interval, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(interval, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await _signal.WaitAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The interval passed: look for jobs queued on other nodes.
        }
    }
}

/// <summary>What an import into a store that takes no data is told, at upload and at job start alike.</summary>
public static class ImportAdmission
{
    public static string DisconnectedDetail(StoreProfile store, DateTimeOffset disconnectedAt)
    {
        ArgumentNullException.ThrowIfNull(store);
        return $"{store.Name} ({store.Store.StoreId}) was disconnected on {disconnectedAt:yyyy-MM-dd HH:mm} UTC and takes no data, imports included; "
            + "nothing was imported. An Admin can reconnect it in Settings → Stores and import the file again.";
    }
}

using SalesDash.Connectors.Currency;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Stores;

namespace SalesDash.Web.Imports;

/// <summary>
/// Runs queued imports one after another. Each file is parsed, then every event goes through the same ingestion
/// path as a webhook (<see cref="IngestionPipeline"/>: guard, currency conversion, ingest), so live tiles and history agree and re-running an import
/// is recognised event by event. Events are ingested a few at a time in parallel: the entity journals them in
/// batches, so this is what makes an import fast without letting it flood the cluster.
/// </summary>
public sealed partial class ImportWorker(
    ImportJobs jobs, IngestionPipeline pipeline, IStoreDirectory stores, TimeProvider time, ILogger<ImportWorker> logger) : BackgroundService
{
    /// <summary>Events in flight per import; enough to keep journal batches full, few enough to leave room for webhooks.</summary>
    public const int Parallelism = 32;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var job in jobs.Queue.ReadAllAsync(stoppingToken))
        {
            try
            {
                await RunAsync(job, stoppingToken);
                job.Finish(time.GetUtcNow());
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                job.Finish(time.GetUtcNow(), "the server stopped during the import; run it again — rows already in are recognised");
                throw;
            }
            catch (Exception ex)
            {
                LogFailed(logger, job.Id, ex);
                job.Finish(time.GetUtcNow(), ex.Message);
            }
            finally
            {
                jobs.Done(job);
            }
        }
    }

    private async Task RunAsync(ImportJob job, CancellationToken cancellationToken)
    {
        job.Start(time.GetUtcNow());
        var profile = await stores.GetAsync(job.Store, cancellationToken)
            ?? throw new InvalidOperationException($"store {job.Store} no longer exists");
        var target = new ImportTarget(profile.Store, profile.Channel, profile.Currency, profile.TimeZone);

        ParsedImport parsed;
        // Read from the spooled upload: the file never sits in memory whole, only the events parsed from it.
        await using (var file = new FileStream(job.SpoolPath, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true))
        {
            parsed = job.Format == ImportFormat.OnlineRetail
                ? await OnlineRetailImport.ParseAsync(file, target, cancellationToken)
                : await ShopifyOrderExportImport.ParseAsync(file, target, cancellationToken);
        }

        var usedRows = parsed.Events.Sum(e => e.Rows);
        job.Parsed(parsed.DataRows, parsed.Errors, Math.Max(0, parsed.DataRows - usedRows));

        await Parallel.ForEachAsync(parsed.Events, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (item, ct) =>
            {
                try
                {
                    var outcome = await pipeline.IngestAsync(profile, item.Event, ct);
                    job.EventDone(item.Rows, outcome == IngestOutcome.Accepted);
                }
                catch (Exception ex) when (ex is InvalidCommerceEventException or MissingExchangeRateException)
                {
                    job.EventFailed(new ImportError(item.FirstLine, ex.Message), item.Rows);
                }
            });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Import {ImportId} failed")]
    private static partial void LogFailed(ILogger logger, Guid importId, Exception exception);
}

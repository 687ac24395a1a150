namespace SalesDash.Engine.Ingestion;

/// <summary>
/// The ingest could not make an event durable now (the log refused it or did not take it in time): nothing was
/// accepted, and the sender should deliver it again later. The webhook door answers 503, so the platform retries.
/// </summary>
public sealed class IngestUnavailableException : Exception
{
    public IngestUnavailableException()
    {
    }

    public IngestUnavailableException(string message)
        : base(message)
    {
    }

    public IngestUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

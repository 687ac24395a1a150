using System.Diagnostics.Metrics;

namespace SalesDash.Engine.Telemetry;

/// <summary>
/// Base of a class of instruments on one named meter. In a host the meter comes from its <see cref="IMeterFactory"/>, so
/// the host disposes it and its listeners see it; a test or bench without a host gets a meter of its own, which this
/// disposes. No static meter: two hosts in one process (the tests' factories) each measure their own.
/// </summary>
public abstract class HostedMeter : IDisposable
{
    private readonly bool _ownsMeter;

    protected HostedMeter(string meterName, IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        Meter = meterFactory?.Create(meterName) ?? new Meter(meterName);
    }

    protected Meter Meter { get; }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the meter if it is this one's own; a class with more to release does so before calling this.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing && _ownsMeter)
        {
            Meter.Dispose();
        }
    }
}

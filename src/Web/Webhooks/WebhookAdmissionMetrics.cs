using System.Diagnostics.Metrics;

namespace SalesDash.Web.Webhooks;

/// <summary>How long webhooks wait for their store's slot: the admission part of a POST's time (bench/README, issue 15 pt 4).</summary>
public sealed class WebhookAdmissionMetrics : IDisposable
{
    public const string MeterName = "SalesDash.Web.WebhookAdmission";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    /// <summary>Uses the host's meter factory when there is one, so the meter is disposed with the host.</summary>
    public WebhookAdmissionMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        SlotWait = _meter.CreateHistogram<double>("salesdash.webhook.admission.wait", "ms");
    }

    /// <summary>Milliseconds from the body read to a slot held (0 when one was free at once); refused webhooks are not counted.</summary>
    public Histogram<double> SlotWait { get; }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}

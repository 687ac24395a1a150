using System.Diagnostics.Metrics;
using SalesDash.Engine.Telemetry;

namespace SalesDash.Web.Webhooks;

/// <summary>How long webhooks wait for their store's slot: the admission part of a POST's time (bench/README, issue 15 pt 4).</summary>
public sealed class WebhookAdmissionMetrics : HostedMeter
{
    public const string MeterName = "SalesDash.Web.WebhookAdmission";

    /// <summary>Uses the host's meter factory when there is one, so the meter is disposed with the host.</summary>
    public WebhookAdmissionMetrics(IMeterFactory? meterFactory = null)
        : base(MeterName, meterFactory)
    {
        SlotWait = Meter.CreateHistogram<double>("salesdash.webhook.admission.wait", "ms");
    }

    /// <summary>Milliseconds from the body read to a slot held (0 when one was free at once); refused webhooks are not counted.</summary>
    public Histogram<double> SlotWait { get; }

}

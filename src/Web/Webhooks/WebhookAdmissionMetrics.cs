using System.Diagnostics.Metrics;

namespace SalesDash.Web.Webhooks;

/// <summary>How long webhooks wait for their store's slot: the admission part of a POST's time (bench/README, issue 15 pt 4).</summary>
public static class WebhookAdmissionMetrics
{
    public const string MeterName = "SalesDash.Web.WebhookAdmission";

    // One instrument for the node, as the limiter is one for the node; a listener that is not attached makes each record a no-op.
    private static readonly Meter Meter = new(MeterName);

    /// <summary>Milliseconds from the body read to a slot held (0 when one was free at once); refused webhooks are not counted.</summary>
    public static readonly Histogram<double> SlotWait = Meter.CreateHistogram<double>("salesdash.webhook.admission.wait", "ms");
}

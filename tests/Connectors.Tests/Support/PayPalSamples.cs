namespace SalesDash.Connectors.Tests.Support;

/// <summary>
/// PayPal webhook bodies in the shape of the samples on PayPal's "Webhook event names" page (Payments v2 capture and
/// refund resources); ids and amounts are the documentation's.
/// </summary>
internal static class PayPalSamples
{
    public const string CaptureCompleted = """
        {"id":"WH-58D329510W468432D-8HN650336L201105X","create_time":"2019-02-14T21:50:07.940Z","resource_type":"capture","event_version":"1.0","event_type":"PAYMENT.CAPTURE.COMPLETED","summary":"Payment completed for $ 2.51 USD","resource_version":"2.0","resource":{"amount":{"currency_code":"USD","value":"2.51"},"seller_protection":{"status":"ELIGIBLE","dispute_categories":["ITEM_NOT_RECEIVED","UNAUTHORIZED_TRANSACTION"]},"supplementary_data":{"related_ids":{"order_id":"1AB234567A1234567"}},"update_time":"2019-02-14T21:49:58Z","create_time":"2019-02-14T21:49:58Z","final_capture":true,"seller_receivable_breakdown":{"gross_amount":{"currency_code":"USD","value":"2.51"},"paypal_fee":{"currency_code":"USD","value":"0.37"},"net_amount":{"currency_code":"USD","value":"2.14"}},"links":[{"href":"https://api.paypal.com/v2/payments/captures/27M47624FP291604U","rel":"self","method":"GET"},{"href":"https://api.paypal.com/v2/payments/captures/27M47624FP291604U/refund","rel":"refund","method":"POST"},{"href":"https://api.paypal.com/v2/payments/authorizations/7W5147081L658180V","rel":"up","method":"GET"}],"id":"27M47624FP291604U","status":"COMPLETED"},"links":[{"href":"https://api.paypal.com/v1/notifications/webhooks-events/WH-58D329510W468432D-8HN650336L201105X","rel":"self","method":"GET"},{"href":"https://api.paypal.com/v1/notifications/webhooks-events/WH-58D329510W468432D-8HN650336L201105X/resend","rel":"resend","method":"POST"}]}
        """;

    public const string CaptureRefunded = """
        {"id":"WH-1GE84257G0350133W-6RW800890C634293G","create_time":"2018-08-15T19:14:04.543Z","resource_type":"refund","event_type":"PAYMENT.CAPTURE.REFUNDED","summary":"A $ 0.99 USD capture payment was refunded","resource":{"seller_payable_breakdown":{"gross_amount":{"currency_code":"USD","value":"0.99"},"paypal_fee":{"currency_code":"USD","value":"0.02"},"net_amount":{"currency_code":"USD","value":"0.97"},"total_refunded_amount":{"currency_code":"USD","value":"1.98"}},"amount":{"currency_code":"USD","value":"0.99"},"update_time":"2018-08-15T12:13:29-07:00","create_time":"2018-08-15T12:13:29-07:00","links":[{"href":"https://api.paypal.com/v2/payments/refunds/1Y107995YT783435V","rel":"self","method":"GET"},{"href":"https://api.paypal.com/v2/payments/captures/0JF852973C016714D","rel":"up","method":"GET"}],"id":"1Y107995YT783435V","status":"COMPLETED"},"links":[{"href":"https://api.paypal.com/v1/notifications/webhooks-events/WH-1GE84257G0350133W-6RW800890C634293G","rel":"self","method":"GET"}],"event_version":"1.0","resource_version":"2.0"}
        """;
}

namespace SalesDash.Connectors.Polling;

/// <summary>The channel refused the credentials (expired, revoked, or lacking access): a person must reconnect.</summary>
public sealed class ChannelAuthException(string message) : Exception(message);

/// <summary>The channel asked us to slow down for longer than a poll should wait; try again at <see cref="RetryAt"/>.</summary>
public sealed class ChannelRateLimitedException(DateTimeOffset retryAt, string message) : Exception(message)
{
    public DateTimeOffset RetryAt { get; } = retryAt;
}

/// <summary>The channel answered with an error or with a body we cannot read; <see cref="Exception.Message"/> says which.</summary>
public sealed class ChannelResponseException(string message, int? statusCode = null) : Exception(message)
{
    public int? StatusCode { get; } = statusCode;
}

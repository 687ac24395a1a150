namespace SalesDash.Engine.Stores;

/// <summary>
/// Encrypts a store's webhook secret before the store directory writes it and decrypts it on read, so a copy of the
/// database alone does not let anyone sign webhooks. The web host supplies one backed by the Data Protection key ring.
/// </summary>
public interface IWebhookSecretProtector
{
    /// <summary>What is stored for <paramref name="secret"/>.</summary>
    string Protect(string secret);

    /// <summary>The secret behind a stored value; a value stored before secrets were encrypted comes back as it is.</summary>
    string Unprotect(string stored);
}

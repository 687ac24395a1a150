using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Identity;

/// <summary>An install whose key ring was in {DataDirectory}/keys keeps reading what it encrypted after the move to the database.</summary>
public sealed class KeyRingImportTests
{
    [Fact]
    public async Task Secrets_encrypted_with_the_old_file_key_ring_still_open()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("salesdash-keys-").FullName;
        var old = new ServiceCollection()
            .AddDataProtection().SetApplicationName("SalesDash").PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDirectory, "keys"))).Services
            .BuildServiceProvider();
        var sealedSecret = old.GetRequiredService<IDataProtectionProvider>().CreateProtector("channel-credentials").Protect("refresh-token-123");
        await old.DisposeAsync();

        try
        {
            await using var app = new IdentityAppFactory(new Dictionary<string, string> { ["Engine:DataDirectory"] = dataDirectory });
            var opened = app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("channel-credentials").Unprotect(sealedSecret);

            Assert.Equal("refresh-token-123", opened);
        }
        finally
        {
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held by a closing store leaves a temp folder behind; the result stands.
            }
        }
    }
}

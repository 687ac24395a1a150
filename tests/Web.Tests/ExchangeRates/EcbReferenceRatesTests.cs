using SalesDash.Web.ExchangeRates;

namespace SalesDash.Web.Tests.ExchangeRates;

public sealed class EcbReferenceRatesTests
{
    [Fact]
    public void The_daily_document_gives_one_euro_rate_per_currency_on_its_day()
    {
        var rates = EcbReferenceRates.Parse(FakeEcb.Daily(new DateOnly(2026, 11, 24), ("USD", "1.0512"), ("JPY", "162.37"), ("GBP", "0.83015")), "ECB reference rate");

        Assert.Equal(
            [("EUR", "USD", 1.0512m), ("EUR", "JPY", 162.37m), ("EUR", "GBP", 0.83015m)],
            rates.Select(r => (r.From, r.To, r.Rate)));
        Assert.All(rates, r => Assert.Equal(new DateOnly(2026, 11, 24), r.Date));
        Assert.All(rates, r => Assert.Equal("ECB reference rate", r.Source));
    }

    [Fact]
    public void A_history_document_gives_every_day()
    {
        const string xml = """
            <gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
              <Cube>
                <Cube time="2026-11-24"><Cube currency="USD" rate="1.05"/></Cube>
                <Cube time="2026-11-23"><Cube currency="USD" rate="1.04"/></Cube>
              </Cube>
            </gesmes:Envelope>
            """;

        var rates = EcbReferenceRates.Parse(xml, "ECB");

        Assert.Equal([(new DateOnly(2026, 11, 24), 1.05m), (new DateOnly(2026, 11, 23), 1.04m)], rates.Select(r => (r.Date, r.Rate)));
    }

    [Theory]
    [InlineData("<html><body>Service unavailable</body></html>", "no <Cube")]
    [InlineData("not xml at all", "not XML")]
    [InlineData("""<Envelope><Cube><Cube time="24/11/2026"><Cube currency="USD" rate="1.05"/></Cube></Cube></Envelope>""", "24/11/2026")]
    [InlineData("""<Envelope><Cube><Cube time="2026-11-24"><Cube currency="USD" rate="0"/></Cube></Cube></Envelope>""", "not a positive number")]
    [InlineData("""<Envelope><Cube><Cube time="2026-11-24"><Cube currency="USD" rate="1,05"/></Cube></Cube></Envelope>""", "not a positive number")]
    [InlineData("""<Envelope><Cube><Cube time="2026-11-24"><Cube currency="US" rate="1.05"/></Cube></Cube></Envelope>""", "three-letter")]
    [InlineData("""<Envelope><Cube><Cube time="2026-11-24"/></Cube></Envelope>""", "no rates")]
    public void A_damaged_answer_is_refused_whole_with_the_reason(string xml, string reason)
    {
        var error = Assert.Throws<FormatException>(() => EcbReferenceRates.Parse(xml, "ECB"));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_document_with_a_dtd_is_refused()
    {
        const string xml = """<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "1.05">]><Envelope><Cube><Cube time="2026-11-24"><Cube currency="USD" rate="&a;"/></Cube></Cube></Envelope>""";
        Assert.Throws<FormatException>(() => EcbReferenceRates.Parse(xml, "ECB"));
    }
}

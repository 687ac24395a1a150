global using SalesDash.Tests.Shared;
global using Xunit;

using Microsoft.Extensions.DependencyInjection;
using NodeAgent.Dicom.Network.Server;
using NodeAgent.Dicom.Network.Storage;

namespace NodeAgent.IntegrationTests.Network;

/// <summary>
/// The smallest service provider a <see cref="DicomServer"/> needs: the given handlers, and a scope
/// factory whose scopes are the provider itself (the handlers are singletons).
/// </summary>
internal sealed class HandlerServices(IDicomStoreHandler? store = null, IDicomFindHandler? find = null, IDicomEchoHandler? echo = null)
    : IServiceProvider, IServiceScopeFactory, IServiceScope
{
    public IServiceProvider ServiceProvider => this;

    public object? GetService(Type serviceType) =>
        serviceType == typeof(IServiceScopeFactory) ? this
        : serviceType == typeof(IServiceProvider) ? this
        : serviceType == typeof(IDicomStoreHandler) ? store
        : serviceType == typeof(IDicomFindHandler) ? find
        : serviceType == typeof(IDicomEchoHandler) ? echo
        : null;

    public IServiceScope CreateScope() => this;

    public void Dispose()
    {
    }
}

<#
.SYNOPSIS
  Removes the NodeAgent service and program. The site folder (configuration, site secret, catalogue,
  audit log) is kept unless -Purge is given: a reinstall finds it.
#>

#Requires -Version 5.1
#Requires -RunAsAdministrator
[CmdletBinding()]
param(
    [string]$InstallDir = (Join-Path $env:ProgramFiles 'NodeAgent'),
    [string]$DataRoot = (Join-Path $env:ProgramData 'NodeAgent'),
    [switch]$Purge
)
$ErrorActionPreference = 'Stop'
$ServiceName = 'NodeAgent'
$InstallDir = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($InstallDir)
$DataRoot = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($DataRoot)

$service = Get-Service -Name $ServiceName -ErrorAction SilentlyContinue
if ($service) {
    if ($service.Status -ne 'Stopped') {
        Stop-Service -Name $ServiceName -Force
        $service.WaitForStatus('Stopped', [TimeSpan]::FromSeconds(90))
    }
    & sc.exe delete $ServiceName | Out-Null
    # 1072: already marked for deletion (a Services console holds it open): it goes when that closes.
    if ($LASTEXITCODE -notin @(0, 1072)) { throw "sc.exe delete $ServiceName failed ($LASTEXITCODE)." }
}
if ([Diagnostics.EventLog]::SourceExists($ServiceName)) {
    [Diagnostics.EventLog]::DeleteEventSource($ServiceName)
}
# As install.ps1 wrote it: the stored value, unexpanded, kept REG_EXPAND_SZ.
$environmentKey = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey('SYSTEM\CurrentControlSet\Control\Session Manager\Environment', $true)
try {
    $machinePath = [string]$environmentKey.GetValue('Path', '', [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames)
    $kept = @(($machinePath -split ';') | Where-Object { $_ -and $_.TrimEnd('\') -ne $InstallDir.TrimEnd('\') }) -join ';'
    $environmentKey.SetValue('Path', $kept, [Microsoft.Win32.RegistryValueKind]::ExpandString)
} finally {
    if ($environmentKey) { $environmentKey.Dispose() }
}
# Announced through .NET, as install.ps1 does (WM_SETTINGCHANGE).
[Environment]::SetEnvironmentVariable('NODEAGENT_INSTALL_NOTICE', $null, 'Machine')
Remove-Item -Path $InstallDir -Recurse -Force -ErrorAction SilentlyContinue
if ($Purge) {
    Remove-Item -Path $DataRoot -Recurse -Force
    Write-Host "NodeAgent removed, with its configuration, site secret and data."
} else {
    Write-Host "NodeAgent removed; its configuration, site secret and data stay in $DataRoot (-Purge removes them)."
}

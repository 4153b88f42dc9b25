<#
.SYNOPSIS
  Removes the NodeAgent service and program. The site folder (configuration, site secret, catalogue,
  audit log) is kept unless -Purge is given: a reinstall finds it.
#>
#Requires -Version 5.1
[CmdletBinding()]
param(
    [string]$InstallDir = (Join-Path $env:ProgramFiles 'NodeAgent'),
    [string]$DataRoot = (Join-Path $env:ProgramData 'NodeAgent'),
    [switch]$Purge
)
$ErrorActionPreference = 'Stop'
$ServiceName = 'NodeAgent'

$service = Get-Service -Name $ServiceName -ErrorAction SilentlyContinue
if ($service) {
    if ($service.Status -ne 'Stopped') {
        Stop-Service -Name $ServiceName -Force
        $service.WaitForStatus('Stopped', [TimeSpan]::FromSeconds(90))
    }
    & sc.exe delete $ServiceName | Out-Null
}
if ([Diagnostics.EventLog]::SourceExists($ServiceName)) {
    [Diagnostics.EventLog]::DeleteEventSource($ServiceName)
}
$machinePath = [Environment]::GetEnvironmentVariable('Path', 'Machine')
[Environment]::SetEnvironmentVariable('Path', (($machinePath -split ';') | Where-Object { $_ -and $_ -ne $InstallDir }) -join ';', 'Machine')
Remove-Item -Path $InstallDir -Recurse -Force -ErrorAction SilentlyContinue
if ($Purge) {
    Remove-Item -Path $DataRoot -Recurse -Force
    Write-Host "NodeAgent removed, with its configuration, site secret and data."
} else {
    Write-Host "NodeAgent removed; its configuration, site secret and data stay in $DataRoot (-Purge removes them)."
}

import FomCore
import FomProtocol
import FomRuntime
import SystemKit

/// `fom reload` and SIGHUP: re-read supervisor.json and the env file, and apply exactly the
/// difference. Removed instances stop (dependents first) and are forgotten, changed ones are
/// stopped, swapped for their new definition and started again in dependency order, added ones
/// start when autostart; every other instance keeps its process. A file that does not validate
/// changes nothing.
extension Supervisor {
    /// `client` is nil for SIGHUP: the outcome then goes to fom.log only.
    func reload(dryRun: Bool, wait: Bool, client fd: Int32?) {
        func refuse(_ message: String) {
            log("fom", "reload refused: \(message)")
            if let fd { reply(fd, Response.error(message)) }
        }
        guard !shuttingDown else { return refuse("the daemon is shutting down") }
        let path = options.config.path
        guard let text = Files.readText(path) else { return refuse("\(path): cannot read the file") }
        let config: SupervisorConfig
        do {
            let home = supervisorEnvironment["FOM_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            config = try SupervisorConfig.parse(text: text, path: path, runtimeDirectory: home)
        } catch {
            return refuse(error.diagnostics.map(\.description).joined(separator: "\n"))
        }
        // The env file follows the config unless the daemon was started with --env.
        let envFile = options.envFile == options.config.envFile ? config.envFile : options.envFile
        do {
            _ = try EnvFile.entries(
                envFile, required: options.envFileRequired, supervisorEnvironment: supervisorEnvironment)
        } catch {
            return refuse("\(error)")
        }
        var ids = state.ids
        let newIDs = ids.assign(config.instances.map(\.name))
        let idOf = Dictionary(uniqueKeysWithValues: zip(config.instances.map(\.name), newIDs))
        let current = instances.filter { replacementPending($0) == false && !removing($0) }
        let plan = ReloadPlan(running: current.map(\.config), new: config.instances) { next in
            guard let instance = self.byName[next.name], instance.machine.pid != nil else { return [] }
            guard
                let fresh = try? InstanceEnvironment.compute(
                    next, id: instance.id, envFile: envFile, envFileRequired: self.options.envFileRequired,
                    supervisorEnvironment: self.supervisorEnvironment)
            else { return ["(cannot be computed)"] }
            return EnvironmentLayers.drift(
                running: instance.spawnedEnvironment, next: fresh.variables, ignoring: InstanceEnvironment.notDrift)
        }
        let report = ReloadReport(plan: plan, dryRun: dryRun)
        if dryRun {
            if let fd { reply(fd, report.answer) }
            return
        }

        // A new log directory must be one fom can trust before anything changes.
        var newLogDirectory: Directory?
        if config.logs.dir != options.config.logs.dir {
            do {
                newLogDirectory = try Directory.openTrusted(config.logs.dir, createMode: 0o755)
            } catch {
                return refuse("\(config.logs.dir): \(error)")
            }
        }
        log("fom", "reload: " + Self.summary(plan))
        state.ids = ids
        stateDirty = true
        if config.logs != options.config.logs {
            let logs = config.logs
            if let newLogDirectory { logDirectory = newLogDirectory }
            events.reconfigure(
                directory: logDirectory, name: "fom.log", maxSize: logs.maxSize, keep: logs.keep, timestamps: false)
            for instance in instances {
                instance.out.reconfigure(
                    directory: logDirectory, name: "\(instance.name).out.log", maxSize: logs.maxSize, keep: logs.keep,
                    timestamps: logs.timestamps)
                instance.err.reconfigure(
                    directory: logDirectory, name: "\(instance.name).err.log", maxSize: logs.maxSize, keep: logs.keep,
                    timestamps: logs.timestamps)
            }
        }
        options.config = config
        options.envFile = envFile
        options.configDigest = Fingerprint.of(text)

        var reloadEvent = Orchestrator.Reload()
        for change in plan.changed {
            guard let instance = byName[change.name], let next = config.instance(named: change.name) else { continue }
            if change.restarts {
                replacements[instance.id] = next
                reloadEvent.changed.append((instance.id, Self.definition(next)))
            } else {
                instance.config = next
                reloadEvent.updated.append((instance.id, Self.definition(next)))
            }
        }
        for name in plan.added {
            guard let next = config.instance(named: name), let id = idOf[name] else { continue }
            let instance = ManagedInstance(
                id: id, config: next, logs: config.logs, logDirectory: logDirectory,
                marker: options.runtime.treeMarker(for: name), wantedUp: false)
            byName[name] = instance
            byID[id] = instance
            instances.append(instance)
            state.wanted[name] = false
            reloadEvent.added.append((id, Self.definition(next), next.autostart))
        }
        for name in plan.removed {
            guard let instance = byName[name] else { continue }
            reloadEvent.removed.append(instance.id)
        }
        // The file's order, then what is on its way out.
        let position = Dictionary(uniqueKeysWithValues: config.instances.enumerated().map { ($1.name, $0) })
        instances.sort { (position[$0.name] ?? Int.max, $0.id) < (position[$1.name] ?? Int.max, $1.id) }
        post(.orchestrate(.reload(reloadEvent)))

        guard let fd else { return }
        let involved = reloadEvent.added.map(\.id) + reloadEvent.changed.map(\.id) + reloadEvent.removed
        let done: (ManagedInstance) -> Bool = { [unowned self] s in
            [.online, .errored, .exited, .backoff, .stopped].contains(s.machine.status)
                && !(s.machine.status == .stopped && s.wantedUp) && !self.orchestrator.isBusy(s.id)
        }
        clients[fd]?.awaitingAnswer = true
        waiters.append(
            Waiter(client: fd, ids: involved, done: wait ? done : { _ in true }, answer: { _ in report.answer }))
    }

    func replacementPending(_ instance: ManagedInstance) -> Bool { replacements[instance.id] != nil }

    /// An instance a reload removed that is still on its way down.
    func removing(_ instance: ManagedInstance) -> Bool {
        options.config.instance(named: instance.name) == nil
    }

    static func summary(_ plan: ReloadPlan) -> String {
        if plan.isEmpty { return "nothing changed" }
        var parts: [String] = []
        if !plan.added.isEmpty { parts.append("added \(plan.added.joined(separator: ", "))") }
        if !plan.changed.isEmpty {
            parts.append(
                "changed "
                    + plan.changed.map { "\($0.name) (\($0.keys.joined(separator: ", ")))" }.joined(separator: ", "))
        }
        if !plan.removed.isEmpty { parts.append("removed \(plan.removed.joined(separator: ", "))") }
        return parts.joined(separator: "; ")
    }

    /// A changed instance is down: its new definition takes its place (a fresh machine), with
    /// the same id, log files and history.
    func replaceInstance(_ id: Int) {
        guard let old = byID[id], let config = replacements.removeValue(forKey: id) else { return }
        drainPipes(of: old)
        closePipes(of: old)
        let fresh = ManagedInstance(
            id: id, config: config, logs: options.config.logs, logDirectory: logDirectory, marker: old.marker,
            wantedUp: old.wantedUp)
        fresh.out = old.out
        fresh.err = old.err
        fresh.history = old.history
        if let index = instances.firstIndex(where: { $0 === old }) { instances[index] = fresh }
        byID[id] = fresh
        byName[config.name] = fresh
        log(config.name, "new definition applied")
    }

    /// A removed instance is down: it is dropped, with its up/down word and its running record.
    func forgetInstance(_ id: Int) {
        guard let old = byID[id] else { return }
        drainPipes(of: old)
        closePipes(of: old)
        instances.removeAll { $0 === old }
        byID[id] = nil
        if byName[old.name] === old { byName[old.name] = nil }
        state.wanted[old.name] = nil
        state.running[old.name] = nil
        state.progress[old.name] = nil
        stateDirty = true
        noteRemoval(id)
        log(old.name, "removed")
        // What the instance held is freed without the heap growing: worth a look all the same.
        scheduleHeapLook(always: true)
    }
}

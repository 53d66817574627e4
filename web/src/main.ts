/** The dashboard: zoneless (signals drive change detection), routes bound to component inputs. */
import { Component, provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { provideRouter, RouterOutlet, withComponentInputBinding } from '@angular/router';
import { routes } from './app/app.routes';

@Component({ selector: 'app-root', imports: [RouterOutlet], template: '<router-outlet />' })
class AppRoot {}

bootstrapApplication(AppRoot, {
  providers: [provideZonelessChangeDetection(), provideRouter(routes, withComponentInputBinding())],
}).catch((err: unknown) => console.error(err));
